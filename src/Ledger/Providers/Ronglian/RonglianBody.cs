using System.Text;
using System.Text.RegularExpressions;
using Ledger.Ingest;

namespace Ledger.Providers.Ronglian;

/// <summary>
/// How a Ronglian body is read as text. Chinese platforms may send GBK/GB18030: the charset named in
/// Content-Type wins, then (XML only) the document's own `&lt;?xml … encoding="…"?&gt;`, then the account's
/// Charset, then UTF-8. Only the reading changes; the stored bytes never do.
/// </summary>
public static partial class RonglianBody
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The first byte that is not whitespace or a UTF-8 byte-order mark, or null for a blank body.</summary>
    public static byte? FirstSignificantByte(byte[] body)
    {
        var start = body.AsSpan().StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        for (var i = start; i < body.Length; i++)
        {
            if (body[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return body[i];
            }
        }

        return null;
    }

    public static string Text(RawCallback request, ProviderAccount account, bool xml)
    {
        var body = request.Body;
        if (body.AsSpan().StartsWith(Utf8Bom))
        {
            // A byte-order mark is unambiguous (XML 1.0 appendix F); decoding it as GBK would garble the start.
            return Encoding.UTF8.GetString(body, Utf8Bom.Length, body.Length - Utf8Bom.Length);
        }

        if (xml && Charsets.CharsetOf(request.ContentType) is null && DeclaredEncoding(body) is { } declared)
        {
            return Charsets.Resolve($"charset={declared}", account.Charset).GetString(body);
        }

        return request.BodyText(account.Charset);
    }

    /// <summary>The encoding named by an XML declaration, read as ASCII (every encoding we accept is ASCII-compatible there).</summary>
    public static string? DeclaredEncoding(byte[] body)
    {
        var head = Encoding.Latin1.GetString(body, 0, Math.Min(body.Length, 256));
        var match = XmlDeclaration().Match(head);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("""^\s*<\?xml\s[^?>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._\-]*)["']""")]
    private static partial Regex XmlDeclaration();
}
