using Ledger.Events;
using System.Text.Json;
using Ledger.Time;

namespace Ledger.Providers.Baidu;

/// <summary>
/// Baidu Cloud SMS upstream push (上行回调, https://cloud.baidu.com/doc/SMS/s/Tkijya6ed): a JSON object
/// `{"mobile":"13800138000","content":"TD","sign":"百度云","receiveTime":"2019-12-03T22:53:05Z"}`, plus
/// `userExtId` (the channel extension code given at send) when enabled; headers and signature as the
/// status callback. It carries no id, so the reply's id is derived from its fields
/// (<see cref="ReplyIds.Derived"/>), and it names no message.
/// </summary>
public static class BaiduReplies
{
    public const string ParserVersion = "baidu-reply/1";

    public static AdapterResult Read(string body, ProviderReply reply)
    {
        if (JsonBatch.Parse(body, out var refused) is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            return ReplyBatch.Read(document.RootElement, ReadItem, reply);
        }
    }

    private static ReplyItem? ReadItem(JsonElement item, out Rejection? rejection)
    {
        rejection = null;
        if (!item.TryGetProperty("content", out _) || item.TryGetProperty("messageId", out _))
        {
            rejection = ReplyRejections.Unknown("This is not a Baidu upstream push (mobile, content, sign, receiveTime; no messageId).");
            return null;
        }

        var mobile = ReplyBatch.Text(item, "mobile");
        if (mobile is null)
        {
            rejection = new Rejection(RejectionReasons.MissingId, "mobile is required: with the time and content it identifies the reply.", 400);
            return null;
        }

        ProviderTime? time = null;
        var receiveTime = ReplyBatch.Text(item, "receiveTime");
        if (receiveTime is not null && !ProviderTimes.TryParseWithOffset(receiveTime, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"receiveTime '{receiveTime}' is not UTC ISO 8601 (2019-12-03T22:53:05Z).", 400);
            return null;
        }

        var content = JsonBatch.Text(item, "content") ?? "";
        var extension = ReplyBatch.Text(item, "userExtId");
        return new ReplyItem(ReplyIds.Derived(mobile, receiveTime, extension, content), item.GetRawText(), mobile, content, time,
            InReplyTo: null, To: extension, ParserVersion);
    }
}
