using Ledger.Events;
using System.Text.Json;
using Ledger.Time;

namespace Ledger.Providers.Tencent;

/// <summary>
/// Tencent Cloud SMS reply callback (回复短信回调, https://cloud.tencent.com/document/product/382/52077):
/// one JSON object per reply, `{"extend":"","mobile":"13xxxxxxxxx","nationcode":"86","sign":"…","text":"…","time":1457336869}`,
/// `time` in UNIX seconds, `extend` the channel extension code the phone replied to. It carries no id
/// and no message id: the reply's id is derived from its fields (<see cref="ReplyIds.Derived"/>), so a
/// re-push is a duplicate, and it links to no message. Answered like the status callback.
/// </summary>
public static class TencentReplies
{
    public const string ParserVersion = "tencent-reply/1";

    /// <summary>A reply object: `text` and `mobile`, and no `sid` (every status report has one).</summary>
    public static bool Recognizes(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("text", out _) && item.TryGetProperty("mobile", out _)
        && !item.TryGetProperty("sid", out _);

    public static ReplyItem? Read(JsonElement item, out Rejection? rejection)
    {
        rejection = null;
        if (!Recognizes(item))
        {
            rejection = ReplyRejections.Unknown("This is not a Tencent reply callback (mobile, nationcode, text, time, sign, extend; no sid).");
            return null;
        }

        var mobile = ReplyBatch.Text(item, "mobile");
        if (mobile is null)
        {
            rejection = new Rejection(RejectionReasons.MissingId, "mobile is required: with the time and text it identifies the reply.", 400);
            return null;
        }

        ProviderTime? time = null;
        var timeText = ReplyBatch.Text(item, "time");
        if (timeText is not null && !ProviderTimes.TryParseEpochSeconds(timeText, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"time '{timeText}' is not UNIX seconds.", 400);
            return null;
        }

        var nationCode = ReplyBatch.Text(item, "nationcode");
        var text = JsonBatch.Text(item, "text") ?? "";
        var extend = ReplyBatch.Text(item, "extend");
        var phone = nationCode is null ? mobile : $"+{nationCode}{mobile}";
        return new ReplyItem(ReplyIds.Derived(nationCode, mobile, timeText, extend, text), item.GetRawText(), phone, text, time,
            InReplyTo: null, To: extend, ParserVersion);
    }
}
