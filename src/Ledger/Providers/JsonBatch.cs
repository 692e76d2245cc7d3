using System.Text.Json;
using Ledger.Ingest;

namespace Ledger.Providers;

/// <summary>
/// The JSON-array batch most Chinese providers push: parses the body, refuses what is not a non-empty
/// array of objects, and hands each item (with its raw text as received) to the provider's reader.
/// An unreadable item is refused on its own and the rest accepted (<see cref="BatchItems"/>).
/// </summary>
public static class JsonBatch
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public delegate CallbackItem? ItemReader(JsonElement item, out Rejection? rejection);

    /// <param name="singleReport">
    /// When given and true for a root object, that object is read as a batch of one: for the shapes
    /// that push one report without the array around it. Without it a root object is refused.
    /// </param>
    public static AdapterResult Read(RawCallback request, ProviderAccount account, ItemReader readItem, ProviderReply reply,
        Func<JsonElement, bool>? singleReport = null)
    {
        if (Open(request, account, out var refused) is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            return ReadReports(document.RootElement, readItem, reply, singleReport);
        }
    }

    /// <summary>
    /// The body as a JSON document after the checks every JSON push shares (not empty, a JSON content
    /// type, valid JSON), or the 400 that says which failed. The caller disposes the document.
    /// </summary>
    public static JsonDocument? Open(RawCallback request, ProviderAccount account, out AdapterResult? refused)
    {
        refused = null;
        if (request.Body.Length == 0)
        {
            refused = AdapterResult.Reject(Rejection.Malformed("The body is empty; a JSON array of reports was expected."));
            return null;
        }

        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase)
            && !contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            refused = AdapterResult.Reject(new Rejection(RejectionReasons.WrongContentType,
                $"Content-Type '{contentType}' is not JSON; this provider posts application/json.", 400));
            return null;
        }

        return Parse(request.BodyText(account.Charset), out refused);
    }

    /// <summary>
    /// A parsed batch: a non-empty array of objects (or, where <paramref name="singleReport"/> accepts it,
    /// one object), each handed to the provider's reader with its raw text.
    /// </summary>
    public static AdapterResult ReadReports(JsonElement root, ItemReader readItem, ProviderReply reply, Func<JsonElement, bool>? singleReport = null)
    {
        if (root.ValueKind == JsonValueKind.Object && singleReport is not null && singleReport(root))
        {
            var single = readItem(root, out var refused);
            return single is null
                ? AdapterResult.Reject(refused ?? Rejection.Malformed("The report could not be read."))
                : new AdapterResult.Accepted([single], reply);
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            return AdapterResult.Reject(Rejection.Malformed("The body must be a JSON array of reports, even for a single report."));
        }

        if (root.GetArrayLength() == 0)
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.EmptyBatch, "The JSON array holds no reports.", 400));
        }

        if (root.GetArrayLength() > BatchItems.MaxItems)
        {
            return AdapterResult.Reject(BatchItems.TooMany(root.GetArrayLength()));
        }

        var batch = new BatchItems(isBatch: true);
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                batch.Refuse(index, Rejection.Malformed("The item is not a JSON object."), element.GetRawText());
            }
            else
            {
                var current = element;
                batch.Read(index, element.GetRawText(), (out Rejection? rejection) => readItem(current, out rejection));
            }

            index++;
        }

        return batch.Result(reply);
    }

    /// <summary>
    /// The text as a JSON document (depth-limited), or the 400 that says why it is not one;
    /// <paramref name="what"/> names the text in that reason (the body, or a field that carries JSON).
    /// </summary>
    public static JsonDocument? Parse(string body, out AdapterResult? refused, string what = "The body")
    {
        refused = null;
        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException e)
        {
            refused = AdapterResult.Reject(Rejection.Malformed($"{what} is not valid JSON: {e.Message}"));
            return null;
        }
    }

    /// <summary>A field as text whether the provider sent it as a string, number or boolean.</summary>
    public static string? Text(JsonElement obj, string name) => obj.TryGetProperty(name, out var value) ? Scalar(value) : null;

    /// <summary>A value as text whether it was sent as a string, number or boolean (numbers as written: a long id stays whole); else null.</summary>
    public static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonText.String(value), // a lone surrogate escape read as U+FFFD (PostgreSQL could not hold it either)
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    public static int? Int(JsonElement obj, string name) =>
        int.TryParse(Text(obj, name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
