using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Providers;

/// <summary>
/// A JSON string value as text, also when it holds an escaped lone surrogate (`"\ud800"`): valid JSON
/// text that <see cref="JsonElement.GetString"/> refuses with an <see cref="InvalidOperationException"/>.
/// Such a value is read with each lone surrogate replaced by U+FFFD, so the report is read (and its raw
/// item kept byte-exact) instead of the adapter throwing.
/// </summary>
public static class JsonText
{
    public static string String(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Unescape(value.GetRawText());
        }
    }

    /// <summary>The text of a JSON string literal (quotes included), lone surrogates replaced.</summary>
    private static string Unescape(string literal)
    {
        var text = new StringBuilder(literal.Length);
        for (var i = 1; i < literal.Length - 1; i++)
        {
            var c = literal[i];
            if (c != '\\' || i + 1 >= literal.Length - 1)
            {
                text.Append(c);
                continue;
            }

            var escape = literal[++i];
            if (escape == 'u' && i + 4 < literal.Length
                && int.TryParse(literal.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                text.Append((char)code);
                i += 4;
                continue;
            }

            text.Append(escape switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escape });
        }

        // Pairs stay pairs; a surrogate without its partner becomes U+FFFD.
        var chars = text.ToString().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }
}
