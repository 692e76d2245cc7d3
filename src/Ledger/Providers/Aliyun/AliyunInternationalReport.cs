using System.Globalization;
using System.Text.Json;
using Ledger.Events;
using Ledger.Time;

namespace Ledger.Providers.Aliyun;

/// <summary>
/// Alibaba Cloud's international (Go Globe / 国际短信) SmsReport: the same HTTP batch push and reply as
/// the domestic one, but other field names and times in RFC 2822 with an offset
/// (https://help.aliyun.com/zh/sms/smsreport-http-intl, https://alibabacloud.com/help/tc/sms/developer-reference/sms-webhook-1).
/// An account opts in with `Options:Variant = international`.
/// </summary>
public static class AliyunInternationalReport
{
    public const string Variant = "international";

    public const string ParserVersion = "aliyun-intl/1";

    public static CallbackItem? Read(JsonElement item, out Rejection? rejection)
    {
        rejection = null;

        // MessageId is the 发送回执ID of one message to one number (unlike the domestic biz_id, which a batch shares).
        var messageId = JsonBatch.Text(item, "MessageId");
        if (string.IsNullOrWhiteSpace(messageId))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "MessageId is required: it identifies the message.", 400);
            return null;
        }

        ProviderTime? time = null;
        var receiveDate = JsonBatch.Text(item, "ReceiveDate");
        if (!string.IsNullOrEmpty(receiveDate) && !TryParseRfc2822(receiveDate, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime,
                $"ReceiveDate '{receiveDate}' is not an RFC 2822 date with an offset ('Thu, 25 Nov 2021 10:27:00 +0800').", 400);
            return null;
        }

        // Status: 1 成功, 2 失败, 6 失效 (expired: the carrier gave up, so it is a final failure).
        var providerStatus = JsonBatch.Text(item, "Status");
        var (status, final) = providerStatus?.Trim() switch
        {
            "1" => (DeliveryStatus.Delivered, true),
            "2" or "6" => (DeliveryStatus.Failed, true),
            _ => (DeliveryStatus.Unknown, false),
        };

        // ErrorCode is the literal "success" on delivered reports; it is only an error code otherwise.
        var errorCode = JsonBatch.Text(item, "ErrorCode");
        var report = new Report(
            status,
            final,
            ProviderStatus: providerStatus,
            ErrorCode: status == DeliveryStatus.Delivered ? null : errorCode,
            Description: JsonBatch.Text(item, "ErrorDescription"),
            ProviderTime: time,
            Phone: JsonBatch.Text(item, "To"),
            // TaskId is "批次ID,调用发送接口时传的taskId": the caller's own reference, our out id.
            OutId: JsonBatch.Text(item, "TaskId") is { Length: > 0 } taskId ? taskId : null,
            BilledParts: SmsParts.Bounded(JsonBatch.Int(item, "SmsSize")),
            ParserVersion);

        return new CallbackItem(messageId, item.GetRawText(), report);
    }

    private static readonly string[] DateFormats = ["d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm"];

    /// <summary>
    /// RFC 2822 section 3.3 (`[ddd, ] d MMM yyyy HH:mm[:ss] ±hhmm`, or the obsolete zones UT/GMT/Z). The
    /// weekday is redundant and not checked; the offset is what makes the instant, so it is required.
    /// </summary>
    public static bool TryParseRfc2822(string raw, out ProviderTime? time)
    {
        time = null;
        var text = raw.Trim();
        var comma = text.IndexOf(',');
        if (comma >= 0)
        {
            text = text[(comma + 1)..].TrimStart();
        }

        var lastSpace = text.LastIndexOf(' ');
        if (lastSpace < 0 || !TryParseZone(text[(lastSpace + 1)..], out var offset))
        {
            return false;
        }

        if (!DateTime.TryParseExact(text[..lastSpace].Trim(), DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowInnerWhite, out var local))
        {
            return false;
        }

        time = new ProviderTime(raw, new DateTimeOffset(local, offset).ToUniversalTime(), ProviderTimes.OffsetRule);
        return true;
    }

    private static bool TryParseZone(string zone, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (zone is "UT" or "GMT" or "UTC" or "Z")
        {
            return true;
        }

        if (zone.Length != 5 || (zone[0] != '+' && zone[0] != '-')
            || !int.TryParse(zone.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(zone.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (zone[0] == '-' ? -1 : 1);
        return true;
    }
}
