using System.Text.Json;
using Ledger.Ingest;

namespace Ledger.Providers.Generic;

/// <summary>One report inside the body: its raw text (kept as evidence) and its fields as text, by field setting.</summary>
public sealed record GenericItem(string Raw, IReadOnlyDictionary<string, string> Fields)
{
    public string? Field(string? name) => name is not null && Fields.TryGetValue(name, out var value) ? value : null;

    public string? Field(FieldPath? path) => Field(path?.Text);
}

/// <summary>
/// The body read two ways: the parameters as the sender signed them, and the reports as we interpret
/// them. They differ on purpose for JSON: the signed value of a property is its raw token text exactly
/// as received, quotes of a string included (so `"1"` signs as `"1"` and `1` as `1`, and escapes stay as
/// sent: `"\u0031"` is a third value), because re-serializing JSON is what breaks signatures (a sender's
/// serializer and ours differ in escapes and number forms) and because a signature should also fix each value's JSON type. Gateways
/// that sign strings without their quotes set `Options:JsonValues=unquoted`: only the two quotes are
/// removed, escapes still stay as sent, and then `"1"` and `1` sign alike. Property names are compared
/// decoded; a nested object signs as its raw text under its top-level name. The interpreted value is
/// always the decoded string. For a form the signed value is the percent-decoded pair, as form-signing
/// gateways define it, also when one field holds the JSON reports (`JsonFormField`, Yunpian's
/// `sms_status`). A request with no body carries its report in the query string (a GET push): then
/// the query parameters are the parameters; otherwise the query is not signed.
/// </summary>
/// <param name="SignedParameters">The parameter set a sorted-params signature covers; null for a JSON array, which has none.</param>
/// <param name="Parameters">The top-level parameters decoded, for a signature carried among them (`SignatureParam`).</param>
/// <param name="InQuery">The request had no body and its report is the query string.</param>
public sealed record GenericBody(
    bool IsBatch,
    IReadOnlyList<KeyValuePair<string, string>>? SignedParameters,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<GenericItem> Items,
    bool InQuery = false)
{
    // Duplicate JSON names would let the signed value and the interpreted value be different properties.
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    private static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    /// <summary>A parameter as the sender meant it (a JSON string decoded), for a signature carried in the body.</summary>
    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    public static bool TryRead(RawCallback request, string? charset, GenericScheme scheme, out GenericBody body, out Rejection? rejection)
    {
        body = null!;
        rejection = null;
        if (request.Body.Length == 0)
        {
            var query = request.QueryString.TrimStart('?');
            if (query.Length == 0)
            {
                rejection = Rejection.Malformed("The body is empty; a form-encoded or JSON report was expected (or, with no body, the report in the query string).");
                return false;
            }

            if (!TryReadForm(query, scheme, out body, out rejection))
            {
                return false;
            }

            body = body with { InQuery = true };
            return true;
        }

        var text = request.BodyText(charset);
        var contentType = request.ContentType ?? "";
        var isForm = contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var isJson = contentType.Contains("json", StringComparison.OrdinalIgnoreCase)
            || (!isForm && text.TrimStart() is ['{' or '[', ..]);
        if (!isJson)
        {
            return TryReadForm(text, scheme, out body, out rejection);
        }

        if (scheme.JsonFormField is { } field)
        {
            rejection = new Rejection(RejectionReasons.WrongContentType,
                $"The body is JSON, but this account expects a form whose field '{field}' holds the reports (Options:JsonFormField).", 400);
            return false;
        }

        if (!TryParseReports(text, "The body", scheme, out var isBatch, out var items, out var signed, out rejection))
        {
            return false;
        }

        // A batch has no single parameter set to sort; it can only be signed as raw bytes.
        body = isBatch
            ? new GenericBody(true, null, NoParameters, items)
            : new GenericBody(false, signed, items[0].Fields, items);
        return true;
    }

    private static bool TryReadForm(string text, GenericScheme scheme, out GenericBody body, out Rejection? rejection)
    {
        body = null!;
        rejection = null;
        var pairs = FormEncoding.Parse(text);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            fields.TryAdd(name, value); // the first occurrence is the one read; all of them are signed
        }

        if (scheme.JsonFormField is not { } jsonField)
        {
            body = new GenericBody(false, pairs, fields, [new GenericItem(text, fields)]);
            return true;
        }

        if (!fields.TryGetValue(jsonField, out var json) || string.IsNullOrWhiteSpace(json))
        {
            rejection = Rejection.Malformed($"The form field '{jsonField}' that holds the reports is missing or empty (Options:JsonFormField).");
            return false;
        }

        if (!TryParseReports(json, $"The form field '{jsonField}'", scheme, out var isBatch, out var items, out _, out rejection))
        {
            return false;
        }

        // The form is one parameter set whatever the field holds, so a sorted-params signature still applies.
        body = new GenericBody(isBatch, pairs, fields, items);
        return true;
    }

    /// <summary>A JSON object (one report) or a non-empty array of objects (a batch); for an object, also its signed parameters.</summary>
    private static bool TryParseReports(string json, string what, GenericScheme scheme, out bool isBatch, out List<GenericItem> items,
        out List<KeyValuePair<string, string>>? signed, out Rejection? rejection)
    {
        isBatch = false;
        items = [];
        signed = null;
        rejection = null;
        try
        {
            using var document = JsonDocument.Parse(json, JsonOptions);
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    signed = RawParameters(root, scheme.UnquoteJsonStrings);
                    items.Add(Item(root, scheme));
                    return true;
                case JsonValueKind.Array when root.GetArrayLength() == 0:
                    rejection = new Rejection(RejectionReasons.EmptyBatch, $"{what} holds a JSON array with no reports.", 400);
                    return false;
                case JsonValueKind.Array:
                    isBatch = true;
                    var index = 0;
                    foreach (var element in root.EnumerateArray())
                    {
                        if (element.ValueKind != JsonValueKind.Object)
                        {
                            rejection = Rejection.Malformed($"Item {index} is not a JSON object.");
                            return false;
                        }

                        items.Add(Item(element, scheme));
                        index++;
                    }

                    return true;
                default:
                    rejection = Rejection.Malformed($"{what} must be a JSON object, or a JSON array of objects for a batch.");
                    return false;
            }
        }
        catch (JsonException e)
        {
            rejection = Rejection.Malformed($"{what} is not valid JSON: {e.Message}");
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

    /// <summary>The top-level fields as text, and under its own text each configured path no top-level name matches.</summary>
    private static GenericItem Item(JsonElement obj, GenericScheme scheme)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (JsonBatch.Scalar(property.Value) is { } value)
            {
                fields[property.Name] = value;
            }
        }

        foreach (var path in scheme.Fields)
        {
            if (path.IsNested && !obj.TryGetProperty(path.Text, out _) && path.Follow(obj) is { } nested)
            {
                fields[path.Text] = nested;
            }
        }

        return new GenericItem(obj.GetRawText(), fields);
    }
}
