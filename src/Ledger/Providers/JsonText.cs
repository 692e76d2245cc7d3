using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ledger.Providers;

/// <summary>
/// A JSON string value as text, also when it holds an escaped lone surrogate (`"\ud800"`): valid JSON
/// text that <see cref="JsonElement.GetString"/> refuses with an <see cref="InvalidOperationException"/>.
/// Such a value is read with each lone surrogate replaced by U+FFFD, so the report is read (and its raw
/// item kept byte-exact) instead of the adapter throwing. The decoding stays System.Text.Json's: only the
/// escapes of unpaired surrogates are rewritten to `\uFFFD` before it reads the literal again.
/// </summary>
public static partial class JsonText
{
    public static string String(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return JsonSerializer.Deserialize<string>(LoneSurrogateEscape().Replace(value.GetRawText(), @"\uFFFD"))!;
        }
    }

    /// <summary>
    /// A `\uD800`–`\uDBFF` escape not followed by a low one, or a `\uDC00`–`\uDFFF` escape not preceded by a
    /// high one; in either case the backslash itself is not escaped (preceded by an even number of backslashes).
    /// </summary>
    [GeneratedRegex(@"(?<=(?<!\\)(?:\\\\)*)(?:\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})")]
    private static partial Regex LoneSurrogateEscape();
}
