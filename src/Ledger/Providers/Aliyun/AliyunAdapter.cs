using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Aliyun;

/// <summary>
/// Alibaba Cloud SmsReport, HTTP batch push (https://help.aliyun.com/zh/sms/developer-reference/smsreport-2).
/// The body is always a JSON array; a batch send shares one biz_id, so a message is (biz_id, phone_number).
/// Alibaba signs nothing: protect the account with a URL token and/or an allowlist.
/// An account configured with `Options:Variant = international` receives the international SmsReport
/// instead (<see cref="AliyunInternationalReport"/>): same transport and reply, other fields.
/// A domestic account also reads the receive_time / err_code shape (<see cref="AliyunReceiveTimeReport"/>),
/// item by item, and takes that shape as one object without the array.
/// </summary>
public sealed class AliyunAdapter : IProviderAdapter, IReplyReader
{
    public string Name => "aliyun";

    public string ParserVersion => "aliyun/1";

    /// <summary>"系统仅校验返回值的code是否为数字": any numeric code with HTTP 200 counts as received.</summary>
    public static readonly ProviderReply Received = ProviderReply.Json("""{"code":0,"msg":"接收成功"}""");

    /// <summary>The GET connectivity probe must be answered within 700 ms with this body.</summary>
    public static readonly ProviderReply ProbeReply = ProviderReply.Json("""{"code":0,"msg":"成功"}""");

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        if (request.Method == "GET" || (request.Body.Length == 0 && request.Method == "HEAD"))
        {
            return new AdapterResult.Probe(ProbeReply);
        }

        var variant = account.Options.GetValueOrDefault("Variant");
        if (string.IsNullOrWhiteSpace(variant) || string.Equals(variant, "domestic", StringComparison.OrdinalIgnoreCase))
        {
            if (JsonBatch.Open(request, account, out var unreadable) is not { } document)
            {
                return unreadable!;
            }

            using (document)
            {
                // SmsUp pushed to the status URL (the console lets both point at one address) is read as replies.
                return AliyunReplies.IsReplyPush(document.RootElement)
                    ? ReplyBatch.Read(document.RootElement, AliyunReplies.Read, Received)
                    : JsonBatch.ReadReports(document.RootElement, ReadDomesticItem, Received, AliyunReceiveTimeReport.Recognizes);
            }
        }

        if (string.Equals(variant, AliyunInternationalReport.Variant, StringComparison.OrdinalIgnoreCase))
        {
            return JsonBatch.Read(request, account, AliyunInternationalReport.Read, Received);
        }

        // A configuration mistake, not the provider's: a 5xx makes Alibaba retry once it is fixed.
        return AdapterResult.Reject(new Rejection(UnknownVariant,
            $"Options:Variant '{variant}' of {account} is not 'domestic' or 'international'.", 500));
    }

    /// <summary>SmsUp (<see cref="AliyunReplies"/>): verified and acknowledged as SmsReport is, GET probe included.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        if (request.Method == "GET" || (request.Body.Length == 0 && request.Method == "HEAD"))
        {
            return new AdapterResult.Probe(ProbeReply);
        }

        if (JsonBatch.Open(request, account, out var unreadable) is not { } document)
        {
            return unreadable!;
        }

        using (document)
        {
            return ReplyBatch.Read(document.RootElement, AliyunReplies.Read, Received);
        }
    }

    /// <summary>Stable reason code for an account whose Variant option names no known variant.</summary>
    public const string UnknownVariant = "unknown_variant";

    private CallbackItem? ReadDomesticItem(JsonElement item, out Rejection? rejection) =>
        AliyunReceiveTimeReport.Recognizes(item) ? AliyunReceiveTimeReport.Read(item, out rejection) : ReadItem(item, out rejection);

    private CallbackItem? ReadItem(JsonElement item, out Rejection? rejection)
    {
        rejection = null;
        var bizId = JsonBatch.Text(item, "biz_id");
        var phone = JsonBatch.Text(item, "phone_number");
        if (string.IsNullOrWhiteSpace(bizId) || string.IsNullOrWhiteSpace(phone))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "biz_id and phone_number are both required: together they identify the message.", 400);
            return null;
        }

        ProviderTime? time = null;
        var reportTime = JsonBatch.Text(item, "report_time");
        if (!string.IsNullOrEmpty(reportTime) && !ProviderTimes.TryParseBeijing(reportTime, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"report_time '{reportTime}' is not 'yyyy-MM-dd HH:mm:ss'.", 400);
            return null;
        }

        var success = JsonBatch.Text(item, "success");
        var errCode = JsonBatch.Text(item, "err_code");
        var (status, final) = success?.ToLowerInvariant() switch
        {
            "true" => (DeliveryStatus.Delivered, true),
            "false" => (DeliveryStatus.Failed, true),
            _ => (DeliveryStatus.Unknown, false),
        };

        var report = new Report(
            status,
            final,
            ProviderStatus: errCode,
            ErrorCode: status == DeliveryStatus.Delivered ? null : errCode,
            Description: JsonBatch.Text(item, "err_msg"),
            ProviderTime: time,
            Phone: phone,
            OutId: JsonBatch.Text(item, "out_id"),
            BilledParts: SmsParts.Bounded(JsonBatch.Int(item, "sms_size")),
            ParserVersion);

        return new CallbackItem($"{bizId}:{phone}", item.GetRawText(), report);
    }
}
