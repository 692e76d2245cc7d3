using Ledger.Events;
using Ledger.Time;

namespace Ledger.Providers.Ronglian;

/// <summary>
/// Ronglian / Yuntongxun MO (上行) push: the SMSArrived envelope (JSON `{"Request":{…}}` or XML
/// `&lt;Request&gt;`) with `smsType` other than 1 ("0:上行短信数据" in the GetArrived API), `fromNum` the
/// phone, `content` the text it sent, `recvTime` (`yyyyMMddHHmmss`, Beijing time) and `spCode` /
/// `appendCode` the access number and extension it replied to (docs/providers.md; no
/// official push document was found). No reply id is documented: it is derived from the fields
/// (<see cref="ReplyIds.Derived"/>), and no message is named.
/// </summary>
public static class RonglianReplies
{
    public const string ParserVersion = "ronglian-reply/1";

    public static AdapterResult Read(Func<string, string?> field, string rawItem, ProviderReply reply)
    {
        var phone = NullIfEmpty(field("fromNum"));
        if (phone is null)
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, "fromNum is required: with the time and content it identifies the reply.", 400));
        }

        ProviderTime? time = null;
        var recvTime = NullIfEmpty(field("recvTime"));
        if (recvTime is not null && !ProviderTimes.TryParseBeijing(recvTime, out time))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"recvTime '{recvTime}' is not 'yyyyMMddHHmmss'.", 400));
        }

        var content = field("content") ?? "";
        var to = string.Concat(field("spCode")?.Trim(), field("appendCode")?.Trim());
        return AdapterResult.OfReplies(
            [new ReplyItem(ReplyIds.Derived(phone, recvTime, to, content), rawItem, phone, content, time, InReplyTo: null, NullIfEmpty(to), ParserVersion)],
            reply);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
