using System.Text.Json;
using Ledger.Ingest;

namespace Ledger.Providers.Tencent;

/// <summary>
/// Tencent reports wrapped as `{"callbackData":"&lt;Base64&gt;"}`: the Base64 holds the usual JSON array of
/// reports, or one report object, and each report is read exactly as in the usual push. Tencent's current
/// API reference shows no such field; it is how widely copied Chinese-language guides describe the push,
/// and what older integrations and resellers' relays built that way send, so it is read beside the usual
/// one on the same route, with a parser version of its own. The raw item kept for each report is its
/// decoded JSON; the request record keeps the Base64 exactly as it came.
/// </summary>
public static class TencentCallbackData
{
    public const string Field = "callbackData";

    public const string ParserVersion = "tencent-callbackdata/1";

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static AdapterResult Read(JsonElement callbackData, ProviderAccount account)
    {
        if (callbackData.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(JsonText.String(callbackData)))
        {
            return AdapterResult.Reject(Rejection.Malformed(
                $"{Field} must be a non-empty string of Base64 holding the JSON array of reports (or one report)."));
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(JsonText.String(callbackData));
        }
        catch (FormatException)
        {
            return AdapterResult.Reject(Rejection.Malformed(
                $"{Field} is not Base64 (RFC 4648 standard alphabet, with its '=' padding); it must encode the JSON array of reports."));
        }

        // The decoded bytes have no Content-Type of their own: the account's Charset, else UTF-8, as for a body.
        var bytes = decoded.AsSpan();
        if (bytes.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..];
        }

        var text = Charsets.Resolve(null, account.Charset).GetString(bytes);
        if (JsonBatch.Parse(text, out var refused, $"{Field}, once Base64-decoded,") is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            return JsonBatch.ReadReports(document.RootElement,
                (JsonElement item, out Rejection? rejection) => TencentAdapter.ReadReport(item, ParserVersion, out rejection),
                TencentAdapter.Received,
                singleReport: _ => true);
        }
    }
}
