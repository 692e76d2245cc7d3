using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Ronglian;

/// <summary>
/// A Ronglian status report posted as `application/x-www-form-urlencoded`: `respCode` (`000000`, the
/// platform's success code, is delivered; anything else a failure code), `mobile`, `reportTime`
/// (`yyyyMMddHHmmss`, Beijing time) and the message key in `smsMessageSid`, else `msgId`. Widely copied
/// Chinese-language guides describe this as Ronglian's default push, and older integrations and
/// resellers' relays built that way send it, beside the `{"Request":…}` / `&lt;Request&gt;` envelopes
/// <see cref="RonglianAdapter"/> reads; it has a parser version of its own. One report per request.
/// </summary>
public static class RonglianForm
{
    public const string ParserVersion = "ronglian-form/1";

    public const string ContentType = "application/x-www-form-urlencoded";

    /// <summary>The REST platform's statusCode for success, which the form's respCode reuses.</summary>
    public const string Delivered = "000000";

    public static bool IsForm(string? contentType) =>
        contentType is not null && contentType.Contains(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Nothing documents what a form pusher expects back beyond HTTP 200; the JSON success envelope
    /// answers 200 and carries the platform's own success code for a pusher that reads one.
    /// </summary>
    public static AdapterResult Read(RawCallback request, ProviderAccount account)
    {
        var body = RonglianBody.Text(request, account, xml: false);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in FormEncoding.Parse(body))
        {
            fields.TryAdd(name, value); // the first occurrence wins; the raw body keeps them all
        }

        string? Field(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

        var key = (Field("smsMessageSid") ?? Field("msgId"))?.Trim();
        if (key is null)
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId,
                "smsMessageSid (or msgId) is required: it is the id the send API returned for the message.", 400));
        }

        // respCode is the only result the form carries: without it the report says nothing, and guessing
        // would put a status on the message that nobody sent.
        var respCode = Field("respCode");
        if (respCode is null)
        {
            return AdapterResult.Reject(Rejection.Malformed(
                $"respCode is required: it is the result ({Delivered} = delivered, anything else a failure code)."));
        }

        ProviderTime? time = null;
        var reportTime = Field("reportTime");
        if (reportTime is not null && !ProviderTimes.TryParseBeijing(reportTime, out time))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"reportTime '{reportTime}' is not 'yyyyMMddHHmmss'.", 400));
        }

        var delivered = respCode.Trim() == Delivered;
        var report = new Report(
            delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed,
            Final: true,
            ProviderStatus: respCode,
            ErrorCode: delivered ? null : respCode,
            Description: null,
            ProviderTime: time,
            Phone: Field("mobile"),
            OutId: null,
            BilledParts: null,
            ParserVersion);

        return new AdapterResult.Accepted([new CallbackItem(key, body, report)], RonglianAdapter.JsonReceived);
    }
}
