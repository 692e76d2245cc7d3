using System.Text.Json;
using Ledger.Events;
using Ledger.Time;

namespace Ledger.Providers.Aliyun;

/// <summary>
/// The other Alibaba report shape in circulation: `receive_time` and `err_code` beside `phone_number` and
/// `biz_id`, with the carrier's CMPP stat as the result (`DELIVRD` delivered, anything else a failure
/// code) and no `success` flag. Alibaba's current SmsReport page shows `report_time`, `success` and
/// `DELIVERED` instead; this shape is how widely copied Chinese-language guides to the SMSSendReport
/// subscription describe the push, close to the legacy 阿里大于 receipt (`err_code` `DELIVRD`), and what
/// older integrations and resellers' relays built that way send. It comes on the same route and account
/// as <see cref="AliyunAdapter"/>'s SmsReport, usually in a JSON array, sometimes one object alone. An
/// item is this shape when it has `receive_time` and no `success`, so an SmsReport item is never read here.
/// </summary>
public static class AliyunReceiveTimeReport
{
    public const string ParserVersion = "aliyun-receive-time/1";

    /// <summary>The CMPP stat of a report delivered to the handset.</summary>
    public const string Delivered = "DELIVRD";

    public static bool Recognizes(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("receive_time", out _) && !item.TryGetProperty("success", out _);

    public static CallbackItem? Read(JsonElement item, out Rejection? rejection)
    {
        rejection = null;

        // biz_id is shared by a batch send, as in the SmsReport: the key is the same (biz_id, phone_number),
        // so both shapes of one message's reports land in one stream.
        var bizId = JsonBatch.Text(item, "biz_id");
        var phone = JsonBatch.Text(item, "phone_number");
        if (string.IsNullOrWhiteSpace(bizId) || string.IsNullOrWhiteSpace(phone))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "biz_id and phone_number are both required: together they identify the message.", 400);
            return null;
        }

        // err_code is the only result this shape carries: without it the report says nothing, and
        // guessing would put a status on the message that nobody sent.
        var errCode = JsonBatch.Text(item, "err_code");
        if (string.IsNullOrWhiteSpace(errCode))
        {
            rejection = Rejection.Malformed("err_code is required in a report with receive_time: it is the result (DELIVRD = delivered, anything else a failure code).");
            return null;
        }

        if (!TryReadTime(item, out var time))
        {
            var raw = item.GetProperty("receive_time");
            rejection = new Rejection(RejectionReasons.BadTime,
                $"receive_time '{JsonBatch.Scalar(raw) ?? raw.GetRawText()}' is not 'yyyy-MM-dd HH:mm:ss' (Beijing time, or with its own offset) or Unix seconds.", 400);
            return null;
        }

        // DELIVERED is Alibaba's own success word (the official SmsReport's err_code); a gateway that
        // mixes the two shapes sends it here too, and it never means a failure.
        var delivered = errCode.Trim() is Delivered or "DELIVERED";
        var report = new Report(
            delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed,
            Final: true,
            ProviderStatus: errCode,
            ErrorCode: delivered ? null : errCode,
            Description: JsonBatch.Text(item, "err_msg") is { Length: > 0 } message ? message : null,
            ProviderTime: time,
            Phone: phone,
            OutId: JsonBatch.Text(item, "out_id") is { Length: > 0 } outId ? outId : null,
            BilledParts: SmsParts.Bounded(JsonBatch.Int(item, "sms_size")),
            ParserVersion);

        return new CallbackItem($"{bizId}:{phone}", item.GetRawText(), report);
    }

    /// <summary>
    /// The article this shape is known from warns that some pushes send Unix seconds and others
    /// `yyyy-MM-dd HH:mm:ss`: a number, or a string of digits (which that text format can never be), is
    /// Unix seconds; text with a zone keeps it; text without one is Beijing time, as in the SmsReport.
    /// Null or empty: no time.
    /// </summary>
    private static bool TryReadTime(JsonElement item, out ProviderTime? time)
    {
        time = null;
        var value = item.GetProperty("receive_time");
        var raw = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => JsonText.String(value),
            JsonValueKind.Null => "",
            _ => null,
        };

        return raw switch
        {
            null => false,
            _ when string.IsNullOrWhiteSpace(raw) => true,
            _ when value.ValueKind == JsonValueKind.Number || raw.All(char.IsAsciiDigit) => ProviderTimes.TryParseEpochSeconds(raw, out time),
            _ => ProviderTimes.TryParseWithOffset(raw, out time) || ProviderTimes.TryParseBeijing(raw, out time),
        };
    }
}
