using System.Text;

namespace Ledger.Replies;

/// <summary>`Ledger:Replies`: how replies from phones are read.</summary>
public sealed class ReplyOptions
{
    /// <summary>Whole-content keywords that mean "stop sending me messages" (case and full-width letters ignored).</summary>
    public List<string> UnsubscribeKeywords { get; set; } = [];
}

/// <summary>
/// Whether a reply asks to unsubscribe: its whole content, trimmed, is one of the keywords, compared
/// without case and with full-width forms (`ＴＤ`, typed by Chinese input methods) read as their ASCII
/// letters. A keyword inside a longer text (`TD了吗`) is not an unsubscribe: carriers' own rules match the
/// whole reply, and a sentence that mentions the word is a question, not the instruction.
/// </summary>
public sealed class UnsubscribeKeywords
{
    /// <summary>The keywords Chinese carriers and US/UK carriers' rules name (CTIA: STOP, UNSUBSCRIBE; 工信部: TD, 退订, T).</summary>
    public static readonly IReadOnlyList<string> Defaults = ["TD", "退订", "T", "STOP", "UNSUBSCRIBE"];

    private readonly HashSet<string> _keywords;

    public UnsubscribeKeywords(IEnumerable<string>? keywords = null)
    {
        var configured = keywords?.Where(k => !string.IsNullOrWhiteSpace(k)).ToList();
        _keywords = new HashSet<string>((configured is { Count: > 0 } ? configured : Defaults).Select(Normalize), StringComparer.Ordinal);
    }

    public static UnsubscribeKeywords From(ReplyOptions? options) => new(options?.UnsubscribeKeywords);

    public bool Matches(string? content) => content is not null && _keywords.Contains(Normalize(content));

    /// <summary>Full-width ASCII (U+FF01–U+FF5E) and the ideographic space as ASCII, trimmed, upper case.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            });
        }

        return builder.ToString().Trim().ToUpperInvariant();
    }
}
