using System.Xml;
using System.Xml.Linq;

namespace Ledger.Providers.Ronglian;

/// <summary>
/// Reads the XML form of a Ronglian push safely: a DTD is refused outright (no entity is ever expanded,
/// so no billion-laughs and no external entity), nothing is resolved, and the document is bounded,
/// one report being a few hundred characters.
/// </summary>
public static class RonglianXml
{
    public const int MaxCharacters = 64 * 1024;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxCharacters,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The outcome: the Request element's fields and its text as received, or why it could not be read.</summary>
    public sealed record Parsed(XElement? Request, string RawItem, string? Error)
    {
        /// <summary>A child element's text, matched by local name, ignoring case.</summary>
        public string? Field(string name) =>
            Request?.Elements().FirstOrDefault(e => string.Equals(e.Name.LocalName, name, StringComparison.OrdinalIgnoreCase))?.Value.Trim();
    }

    public static Parsed Parse(string text)
    {
        // XML forbids anything before a declaration, but a stray newline from the sender's stack is not
        // worth losing a report over: the stored bytes keep it anyway.
        text = text.TrimStart();
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), Settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            return new Parsed(null, "", $"The body is not well-formed XML without a DTD: {e.Message}");
        }

        var root = document.Root;
        if (root is null || !string.Equals(root.Name.LocalName, "Request", StringComparison.OrdinalIgnoreCase))
        {
            return new Parsed(null, "", $"The XML root must be <Request>, not <{root?.Name.LocalName}>.");
        }

        return new Parsed(root, OuterText(text) ?? root.ToString(SaveOptions.DisableFormatting), null);
    }

    /// <summary>
    /// The root element exactly as it stood in the text: from its start tag (after the declaration,
    /// comments and processing instructions) to the end of its end tag.
    /// </summary>
    private static string? OuterText(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (string.CompareOrdinal(text, i, "<?", 0, 2) == 0)
            {
                var end = text.IndexOf("?>", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                i = end + 2;
            }
            else if (string.CompareOrdinal(text, i, "<!--", 0, 4) == 0)
            {
                var end = text.IndexOf("-->", i + 4, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                i = end + 3;
            }
            else
            {
                break;
            }
        }

        var trimmed = text.TrimEnd();
        var close = trimmed.LastIndexOf("</", StringComparison.Ordinal);
        var stop = close > i ? trimmed.IndexOf('>', close) : trimmed.Length - 1;
        return stop > i ? text[i..(stop + 1)] : null;
    }
}
