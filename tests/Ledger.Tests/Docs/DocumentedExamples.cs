using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ledger.Tests.Docs;

/// <summary>
/// The examples README.md and docs/*.md mark runnable: a fenced block whose info string has the word
/// `runnable` (```` ```sh runnable ````), optionally followed by a block whose info string has the word
/// `expected` (```` ```http expected ````): what `curl -i` prints, headers abridged. docs/testing.md
/// says how to write one.
/// </summary>
public sealed record DocumentedExample(string Document, int Line, string Script, string? Expected)
{
    public override string ToString() => $"{Document}:{Line}";

    public static IReadOnlyList<DocumentedExample> Read(string document, string markdown)
    {
        var examples = new List<DocumentedExample>();
        var blocks = FencedBlocks(markdown);
        for (var i = 0; i < blocks.Count; i++)
        {
            if (!blocks[i].Info.Contains("runnable"))
            {
                continue;
            }

            var expected = i + 1 < blocks.Count && blocks[i + 1].Info.Contains("expected") && blocks[i + 1].Adjacent ? blocks[i + 1].Text : null;
            examples.Add(new DocumentedExample(document, blocks[i].Line, blocks[i].Text, expected));
        }

        return examples;
    }

    private sealed record Block(string[] Info, string Text, int Line, bool Adjacent);

    /// <summary>Fenced blocks in order; `Adjacent` when only blank lines separate a block from the one before.</summary>
    private static List<Block> FencedBlocks(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<Block>();
        var lastEnd = -10;
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Regex.Match(lines[i], "^(\\s*)(```+)(.*)$");
            if (!open.Success)
            {
                continue;
            }

            var fence = open.Groups[2].Value;
            var info = open.Groups[3].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var start = i;
            var text = new StringBuilder();
            for (i++; i < lines.Length && lines[i].Trim() != fence; i++)
            {
                text.Append(lines[i]).Append('\n');
            }

            var adjacent = lastEnd >= 0 && lines[(lastEnd + 1)..start].All(string.IsNullOrWhiteSpace);
            blocks.Add(new Block(info, text.ToString(), start + 1, adjacent));
            lastEnd = i;
        }

        return blocks;
    }
}

/// <summary>One HTTP response as `curl -i` prints it, or as an expected block shows it.</summary>
public sealed record ShownResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    private static readonly Regex StatusLine = new("^HTTP/[0-9.]+ (\\d{3})", RegexOptions.CultureInvariant);

    /// <summary>Splits output into responses at each status line; `100 Continue` interim answers are dropped.</summary>
    public static List<ShownResponse> Split(string output)
    {
        var responses = new List<ShownResponse>();
        var lines = output.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        while (i < lines.Length && !StatusLine.IsMatch(lines[i]))
        {
            i++;
        }

        while (i < lines.Length)
        {
            var status = int.Parse(StatusLine.Match(lines[i]).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var headers = new List<(string, string)>();
            for (i++; i < lines.Length && lines[i].Length > 0 && !StatusLine.IsMatch(lines[i]); i++)
            {
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers.Add((lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
                }
            }

            var body = new StringBuilder();
            for (; i < lines.Length && !StatusLine.IsMatch(lines[i]); i++)
            {
                body.Append(lines[i]).Append('\n');
            }

            if (status != 100)
            {
                // a CSV's byte order mark is not shown in a document
                responses.Add(new ShownResponse(status, headers, body.ToString().Trim().TrimStart('\uFEFF')));
            }
        }

        return responses;
    }

    /// <summary>What in <paramref name="actual"/> differs from what this (expected) response shows; empty when it matches.</summary>
    public IEnumerable<string> Differences(ShownResponse actual)
    {
        if (actual.Status != Status)
        {
            yield return $"status {actual.Status}, documented {Status}";
        }

        foreach (var (name, value) in Headers)
        {
            var found = actual.Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
            if (!found.Any(v => Shown.Matches(value, v)))
            {
                yield return $"header {name}: documented '{value}', got '{string.Join("', '", found)}'";
            }
        }

        if (Body.Length == 0)
        {
            yield break;
        }

        if (Shown.Json(Body) is { } expectedJson)
        {
            JsonNode? actualJson;
            try
            {
                actualJson = JsonNode.Parse(actual.Body);
            }
            catch (System.Text.Json.JsonException)
            {
                actualJson = null;
            }

            if (actualJson is null)
            {
                yield return $"documented a JSON body, got: {actual.Body}";
                yield break;
            }

            foreach (var difference in Shown.JsonDifferences(expectedJson, actualJson, "$"))
            {
                yield return difference;
            }

            yield break;
        }

        // Text (CSV, metrics): every line shown is found, in order.
        var actualLines = actual.Body.Split('\n').Select(l => l.TrimEnd()).ToList();
        var at = 0;
        foreach (var line in Body.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && l != "…"))
        {
            var index = actualLines.FindIndex(at, a => Shown.Matches(line, a));
            if (index < 0)
            {
                yield return $"line not found (in order): {line}";
            }
            else
            {
                at = index + 1;
            }
        }
    }
}

/// <summary>
/// How a document shows what varies: `…` in a string matches any text there (`"msg_…"`), `…` in place of
/// members or elements stands for more of them; members and elements not shown are not compared (arrays:
/// the elements shown, from the first).
/// </summary>
public static class Shown
{
    public const string Ellipsis = "…";

    public static bool Matches(string shown, string actual)
    {
        if (!shown.Contains(Ellipsis, StringComparison.Ordinal))
        {
            return shown == actual;
        }

        var pattern = "^" + string.Join(".*", shown.Split(Ellipsis).Select(Regex.Escape)) + "$";
        return Regex.IsMatch(actual, pattern, RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    /// <summary>The shown JSON with its bare `…` removed, or null when the text is not JSON.</summary>
    public static JsonNode? Json(string shown)
    {
        var trimmed = shown.TrimStart();
        if (!(trimmed.StartsWith('{') || trimmed.StartsWith('[')))
        {
            return null;
        }

        var text = new StringBuilder();
        var inString = false;
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (inString)
            {
                text.Append(c);
                if (c == '\\' && i + 1 < shown.Length)
                {
                    text.Append(shown[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
                text.Append(c);
            }
            else if (c == '…')
            {
                // drop it, and the comma before it when there is one (`, …}`), or after it (`[…, x]` is not used)
                var last = text.ToString().TrimEnd();
                if (last.EndsWith(','))
                {
                    text.Length = last.Length - 1;
                }
            }
            else
            {
                text.Append(c);
            }
        }

        try
        {
            return JsonNode.Parse(text.ToString());
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static IEnumerable<string> JsonDifferences(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject shownObject:
                if (actual is not JsonObject actualObject)
                {
                    yield return $"{path}: documented an object, got {actual?.ToJsonString() ?? "null"}";
                    yield break;
                }

                foreach (var (name, value) in shownObject)
                {
                    if (!actualObject.TryGetPropertyValue(name, out var actualValue))
                    {
                        yield return $"{path}.{name}: documented, missing";
                        continue;
                    }

                    foreach (var difference in JsonDifferences(value, actualValue, $"{path}.{name}"))
                    {
                        yield return difference;
                    }
                }

                break;
            case JsonArray shownArray:
                if (actual is not JsonArray actualArray)
                {
                    yield return $"{path}: documented an array, got {actual?.ToJsonString() ?? "null"}";
                    yield break;
                }

                for (var i = 0; i < shownArray.Count; i++)
                {
                    if (i >= actualArray.Count)
                    {
                        yield return $"{path}[{i}]: documented, missing (got {actualArray.Count} elements)";
                        yield break;
                    }

                    foreach (var difference in JsonDifferences(shownArray[i], actualArray[i], $"{path}[{i}]"))
                    {
                        yield return difference;
                    }
                }

                break;
            case JsonValue shownValue when shownValue.TryGetValue<string>(out var text):
                if (text == Ellipsis)
                {
                    break; // anything, even null
                }

                if (actual is not JsonValue actualString || !actualString.TryGetValue<string>(out var actualText) || !Matches(text, actualText))
                {
                    yield return $"{path}: documented \"{text}\", got {actual?.ToJsonString() ?? "null"}";
                }

                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    yield return $"{path}: documented {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}";
                }

                break;
        }
    }
}
