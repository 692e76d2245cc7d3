using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Tencent;

/// <summary>
/// Tencent Cloud SMS status callback (https://cloud.tencent.com/document/api/382/59178): a JSON array of
/// at most 100 reports; `sid` (the SerialNo) identifies one message to one number. Tencent signs nothing.
/// The same reports may also come wrapped as `{"callbackData":"&lt;Base64&gt;"}` (<see cref="TencentCallbackData"/>).
/// </summary>
public sealed class TencentAdapter : IProviderAdapter, IReplyReader
{
    public string Name => "tencent";

    public string ParserVersion => "tencent/1";

    /// <summary>`result` is a number; 0 means received (and is what Tencent bills on).</summary>
    public static readonly ProviderReply Received = ProviderReply.Json("""{"result":0,"errmsg":"OK"}""");

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        if (JsonBatch.Open(request, account, out var unreadable) is not { } document)
        {
            return unreadable!;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(TencentCallbackData.Field, out var callbackData))
            {
                return TencentCallbackData.Read(callbackData, account);
            }

            // The reply callback's object pushed to the status URL is read as a reply.
            if (TencentReplies.Recognizes(root))
            {
                return ReplyBatch.Read(root, TencentReplies.Read, Received);
            }

            return JsonBatch.ReadReports(root, (JsonElement item, out Rejection? rejection) => ReadReport(item, ParserVersion, out rejection), Received);
        }
    }

    /// <summary>The reply callback (<see cref="TencentReplies"/>), verified and acknowledged as the status callback is.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        if (JsonBatch.Open(request, account, out var unreadable) is not { } document)
        {
            return unreadable!;
        }

        using (document)
        {
            return ReplyBatch.Read(document.RootElement, TencentReplies.Read, Received);
        }
    }

    /// <summary>One report object (sid, report_status, …), stamped with the parser version of the shape it came in.</summary>
    internal static CallbackItem? ReadReport(JsonElement item, string parserVersion, out Rejection? rejection)
    {
        rejection = null;
        var sid = JsonBatch.Text(item, "sid");
        if (string.IsNullOrWhiteSpace(sid))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "sid is required: it identifies the message.", 400);
            return null;
        }

        ProviderTime? time = null;
        var receiveTime = JsonBatch.Text(item, "user_receive_time");
        if (!string.IsNullOrEmpty(receiveTime) && !ProviderTimes.TryParseBeijing(receiveTime, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"user_receive_time '{receiveTime}' is not 'YYYY-MM-DD HH:MM:SS'.", 400);
            return null;
        }

        var reportStatus = JsonBatch.Text(item, "report_status");
        var (status, final) = reportStatus?.ToUpperInvariant() switch
        {
            "SUCCESS" => (DeliveryStatus.Delivered, true),
            "FAIL" => (DeliveryStatus.Failed, true),
            _ => (DeliveryStatus.Unknown, false),
        };

        var nationCode = JsonBatch.Text(item, "nationcode");
        var mobile = JsonBatch.Text(item, "mobile");
        var phone = string.IsNullOrEmpty(mobile) ? null : string.IsNullOrEmpty(nationCode) ? mobile : $"+{nationCode}{mobile}";

        var report = new Report(
            status,
            final,
            ProviderStatus: reportStatus,
            ErrorCode: JsonBatch.Text(item, "errmsg"),
            Description: JsonBatch.Text(item, "description"),
            ProviderTime: time,
            Phone: phone,
            OutId: JsonBatch.Text(item, "ext") is { Length: > 0 } ext ? ext : null,
            BilledParts: null,
            parserVersion);

        return new CallbackItem(sid, item.GetRawText(), report);
    }
}
