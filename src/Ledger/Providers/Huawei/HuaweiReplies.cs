using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Huawei;

/// <summary>
/// Huawei Cloud MSGSMS upstream notification (接收上行短信, https://support.huaweicloud.com/api-msgsms/sms_05_0004.html):
/// one reply per form-encoded POST to the application's upstream URL, `smsMsgId` (the reply's own id:
/// "下行短信ID和上行短信ID … 不一致"), `from` (the phone), `to` (the channel number it replied to), `body`
/// and, when the application asks for it, `createTime` (UTC, `yyyy-MM-dd'T'HH:mm:ss'Z'`). Huawei links a
/// reply to a message only by phone and channel number, never by id, so no message is named.
/// </summary>
public static class HuaweiReplies
{
    public const string ParserVersion = "huawei-reply/1";

    public static AdapterResult Read(string body, ProviderReply reply)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in FormEncoding.Parse(body))
        {
            fields.TryAdd(name, value);
        }

        if (!fields.ContainsKey("body") || !fields.ContainsKey("from"))
        {
            return AdapterResult.Reject(ReplyRejections.Unknown("This is not a Huawei upstream notification (a form with smsMsgId, from, to, body, createTime)."));
        }

        if (fields.GetValueOrDefault("smsMsgId") is not { } id || string.IsNullOrWhiteSpace(id))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, "smsMsgId is required: it identifies the reply.", 400));
        }

        ProviderTime? time = null;
        if (fields.GetValueOrDefault("createTime") is { Length: > 0 } createTime
            && !ProviderTimes.TryParseUtc(createTime, out time, HuaweiAdapter.UpdateTimeFormat))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"createTime '{createTime}' is not '{HuaweiAdapter.UpdateTimeFormat}' (UTC).", 400));
        }

        return AdapterResult.OfReplies(
            [new ReplyItem(id, body, fields["from"], fields["body"], time, InReplyTo: null, To: fields.GetValueOrDefault("to"), ParserVersion)], reply);
    }
}
