using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Huawei;

/// <summary>
/// Huawei Cloud MSGSMS status reports, in its two shapes:
/// a single report, form-encoded, sent to the `statusCallback` URL given at send time
/// (https://support.huaweicloud.com/api-msgsms/sms_05_0003.html), and a batch
/// `{"statusReportList":[…]}` of at most 50, sent to the application's configured URL
/// (https://support.huaweicloud.com/api-msgsms/sms_05_0063.html). `smsMsgId` identifies the message.
/// Huawei signs nothing by default ("用户对短信平台推送的状态报告免鉴权"): protect the account with a
/// URL token and/or an allowlist.
/// </summary>
public sealed partial class HuaweiAdapter : IProviderAdapter
{
    /// <summary>"短信平台批量推送状态报告，单次最多推送50条" (sms_05_0063): more is not a Huawei push.</summary>
    public const int MaxBatch = 50;

    /// <summary>updateTime: "UTC时间，格式为：yyyy-MM-dd'T'HH:mm:ss'Z'" (the colons arrive as %3A in the form).</summary>
    public const string UpdateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public string Name => "huawei";

    /// <summary>huawei/2: a report of a long message's part names the part (sequence/total), so parts are not duplicates.</summary>
    public string ParserVersion => "huawei/2";

    /// <summary>
    /// Neither page documents a reply body or retry rule (reference §6: "Expected reply and retry: not
    /// found"), so an empty 200 is the safest acknowledgement.
    /// </summary>
    public static readonly ProviderReply Received = ProviderReply.Empty();

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        if (request.Body.Length == 0)
        {
            return AdapterResult.Reject(Rejection.Malformed("The body is empty; a form-encoded report or a JSON statusReportList was expected."));
        }

        var text = request.BodyText(account.Charset);
        return IsJson(request.ContentType, text) ? ReadBatch(text) : ReadSingle(text);
    }

    /// <summary>
    /// DELIVRD is the only success; the SMPP failure words, carrier vendor codes (`MK:0001`, `MI:0024`)
    /// and Huawei platform codes (`E200015`) are final failures (reference §0); ACCEPTD/ENROUTE are
    /// intermediate; UNKNOWN is SMPP's final "result unknown". Anything else is kept as unknown, not refused.
    /// </summary>
    public static (DeliveryStatus Status, bool Final) Interpret(string status) => status.ToUpperInvariant() switch
    {
        "DELIVRD" => (DeliveryStatus.Delivered, true),
        "EXPIRED" or "DELETED" or "UNDELIV" or "REJECTD" => (DeliveryStatus.Failed, true),
        "ACCEPTD" or "ENROUTE" => (DeliveryStatus.Pending, false),
        "UNKNOWN" => (DeliveryStatus.Unknown, true),
        var s when VendorCode().IsMatch(s) || PlatformCode().IsMatch(s) => (DeliveryStatus.Failed, true),
        _ => (DeliveryStatus.Unknown, false),
    };

    [GeneratedRegex(@"^[A-Z]{2}:\d{4}$")]
    private static partial Regex VendorCode();

    [GeneratedRegex(@"^E\d{6}$")]
    private static partial Regex PlatformCode();

    private static bool IsJson(string? contentType, string text) =>
        contentType is { } ct ? ct.Contains("json", StringComparison.OrdinalIgnoreCase) : text.TrimStart().StartsWith('{');

    private AdapterResult ReadSingle(string body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in FormEncoding.Parse(body))
        {
            fields.TryAdd(name, value); // the first occurrence wins; the raw body keeps them all
        }

        var item = ReadItem(name => fields.GetValueOrDefault(name), body, out var rejection);
        return item is null ? AdapterResult.Reject(rejection!) : new AdapterResult.Accepted([item], Received);
    }

    private AdapterResult ReadBatch(string body)
    {
        if (JsonBatch.Parse(body, out var refused) is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("statusReportList", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                return AdapterResult.Reject(Rejection.Malformed("A JSON body must be an object whose statusReportList is an array of reports."));
            }

            var count = list.GetArrayLength();
            if (count == 0)
            {
                return AdapterResult.Reject(new Rejection(RejectionReasons.EmptyBatch, "statusReportList holds no reports.", 400));
            }

            if (count > MaxBatch)
            {
                return AdapterResult.Reject(Rejection.Malformed($"statusReportList holds {count} reports; Huawei pushes at most {MaxBatch}."));
            }

            var items = new List<CallbackItem>(count);
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    return AdapterResult.Reject(Rejection.Malformed($"Item {index} is not a JSON object."));
                }

                var item = ReadItem(name => JsonBatch.Text(element, name), element.GetRawText(), out var rejection);
                if (item is null)
                {
                    return AdapterResult.Reject(rejection! with { Detail = $"Item {index}: {rejection!.Detail}" });
                }

                items.Add(item);
                index++;
            }

            return new AdapterResult.Accepted(items, Received);
        }
    }

    /// <summary>Both shapes carry the same fields (SmsStatusBeanOut), so one reader serves both.</summary>
    private CallbackItem? ReadItem(Func<string, string?> field, string rawItem, out Rejection? rejection)
    {
        rejection = null;
        var smsMsgId = field("smsMsgId");
        if (string.IsNullOrWhiteSpace(smsMsgId))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "smsMsgId is required: it identifies the message.", 400);
            return null;
        }

        var status = field("status");
        if (string.IsNullOrWhiteSpace(status))
        {
            rejection = Rejection.Malformed("status is required: a report without it says nothing.");
            return null;
        }

        ProviderTime? time = null;
        var updateTime = field("updateTime");
        if (!string.IsNullOrEmpty(updateTime) && !ProviderTimes.TryParseUtc(updateTime, out time, UpdateTimeFormat))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"updateTime '{updateTime}' is not '{UpdateTimeFormat}' (UTC).", 400);
            return null;
        }

        var (deliveryStatus, final) = Interpret(status);

        // A long SMS is billed per part: `total` is the number of parts ("长短信拆分后的短信条数", 1 when not split).
        var total = PositiveInt(field("total"));

        // Each part of a long SMS gets its own report, `sequence` of `total`: two parts both DELIVRD at the
        // same second are two reports, not a re-push. A message sent whole names no part.
        var part = total > 1 && PositiveInt(field("sequence")) is { } sequence ? new MessagePart(sequence, total.Value) : null;

        var report = new Report(
            deliveryStatus,
            final,
            ProviderStatus: status,
            ErrorCode: deliveryStatus == DeliveryStatus.Delivered ? null : status,
            Description: NullIfEmpty(field("statusDesc")),
            ProviderTime: time,
            Phone: NullIfEmpty(field("to")),      // sent only when `extend` was set at send time
            OutId: NullIfEmpty(field("extend")),  // "扩展参数，在状态报告中会原样返回"
            BilledParts: total,
            ParserVersion,
            part);

        return new CallbackItem(smsMsgId, rawItem, report);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? PositiveInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
