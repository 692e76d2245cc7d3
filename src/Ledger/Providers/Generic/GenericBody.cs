using System.Text.Json;
using Ledger.Ingest;

namespace Ledger.Providers.Generic;

/// <summary>One report inside the body: its raw text (kept as evidence) and its fields as text.</summary>
public sealed record GenericItem(string Raw, IReadOnlyDictionary<string, string> Fields)
{
    public string? Field(string? name) => name is not null && Fields.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// The body read two ways: the parameters as the sender signed them, and the reports as we interpret
/// them. They differ on purpose for JSON: the signed value of a property is its raw token text exactly
/// as received, quotes of a string included (so `"1"` signs as `"1"` and `1` as `1`, and escapes stay as
/// sent: `"\u0031"` is a third value), because re-serializing JSON is what breaks signatures
/// (webhook-anchors.md §4) and because a signature should also fix each value's JSON type. Gateways
/// that sign strings without their quotes set `Options:JsonValues=unquoted`: only the two quotes are
/// removed, escapes still stay as sent, and then `"1"` and `1` sign alike. Property names are compared
/// decoded. The interpreted value is always the decoded string. For a form the signed value is the
/// percent-decoded pair, as form-signing gateways define it. Query parameters are not signed.
/// </summary>
public sealed record GenericBody(bool IsBatch, IReadOnlyList<KeyValuePair<string, string>> SignedParameters, IReadOnlyList<GenericItem> Items)
{
    // Duplicate JSON names would let the signed value and the interpreted value be different properties.
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    /// <summary>A parameter as the sender meant it (a JSON string decoded), for a signature carried in the body.</summary>
    public string? Parameter(string name) => IsBatch ? null : Items[0].Field(name);

    public static bool TryRead(RawCallback request, string? charset, bool unquoteStrings, out GenericBody body, out Rejection? rejection)
    {
        body = null!;
        rejection = null;
        if (request.Body.Length == 0)
        {
            rejection = Rejection.Malformed("The body is empty; a form-encoded or JSON report was expected.");
            return false;
        }

        var text = request.BodyText(charset);
        var contentType = request.ContentType ?? "";
        var isForm = contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var isJson = contentType.Contains("json", StringComparison.OrdinalIgnoreCase)
            || (!isForm && text.TrimStart() is ['{' or '[', ..]);
        if (!isJson)
        {
            var pairs = FormEncoding.Parse(text);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in pairs)
            {
                fields.TryAdd(name, value); // the first occurrence is the one read; all of them are signed
            }

            body = new GenericBody(false, pairs, [new GenericItem(text, fields)]);
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(text, JsonOptions);
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    body = new GenericBody(false, RawParameters(root, unquoteStrings), [Item(root)]);
                    return true;
                case JsonValueKind.Array when root.GetArrayLength() == 0:
                    rejection = new Rejection(RejectionReasons.EmptyBatch, "The JSON array holds no reports.", 400);
                    return false;
                case JsonValueKind.Array:
                    var items = new List<GenericItem>(root.GetArrayLength());
                    var index = 0;
                    foreach (var element in root.EnumerateArray())
                    {
                        if (element.ValueKind != JsonValueKind.Object)
                        {
                            rejection = Rejection.Malformed($"Item {index} is not a JSON object.");
                            return false;
                        }

                        items.Add(Item(element));
                        index++;
                    }

                    // A batch has no single parameter set to sort; it can only be signed as raw bytes.
                    body = new GenericBody(true, [], items);
                    return true;
                default:
                    rejection = Rejection.Malformed("The body must be a JSON object, or a JSON array of objects for a batch.");
                    return false;
            }
        }
        catch (JsonException e)
        {
            rejection = Rejection.Malformed($"The body is not valid JSON: {e.Message}");
            return false;
        }
    }

    private static List<KeyValuePair<string, string>> RawParameters(JsonElement obj, bool unquoteStrings)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var property in obj.EnumerateObject())
        {
            var raw = property.Value.GetRawText();
            pairs.Add(new(property.Name, unquoteStrings && property.Value.ValueKind == JsonValueKind.String ? raw[1..^1] : raw));
        }

        return pairs;
    }

    private static GenericItem Item(JsonElement obj)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (JsonBatch.Text(obj, property.Name) is { } value)
            {
                fields[property.Name] = value;
            }
        }

        return new GenericItem(obj.GetRawText(), fields);
    }
}
