using Ledger.Events;
using Ledger.Time;

namespace Ledger.Providers.Vonage;

/// <summary>
/// Vonage SMS API inbound message (https://developer.vonage.com/messaging/sms/guides/inbound-sms): GET or
/// POST (form or JSON) with `msisdn` (the phone), `to` (our virtual number), `messageId` (the reply's
/// own id), `text`, `type`, `keyword` and `message-timestamp` (UTC, `YYYY-MM-DD HH:MM:SS`, when Vonage
/// started to push it), signed like delivery receipts when signing is on. Nothing names the message
/// answered. A long reply arrives in parts (`concat-ref`, `concat-part`, `concat-total`), each its own
/// messageId: each part is kept as the reply Vonage sent.
/// </summary>
public static class VonageReplies
{
    public const string ParserVersion = "vonage-reply/1";

    public static AdapterResult Read(Func<string, string?> value, string rawItem, ProviderReply reply, NonceClaim? nonce)
    {
        if (value("msisdn") is not { Length: > 0 } msisdn || (value("text") is null && value("type") is null))
        {
            return AdapterResult.Reject(ReplyRejections.Unknown("This is not a Vonage inbound message (msisdn, to, messageId, text, type, message-timestamp)."));
        }

        if (value("messageId") is not { } messageId || string.IsNullOrWhiteSpace(messageId))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, "messageId is required: it identifies the reply.", 400));
        }

        ProviderTime? time = null;
        if (value("message-timestamp") is { Length: > 0 } pushedAt && !ProviderTimes.TryParseUtc(pushedAt, out time, "yyyy-MM-dd HH:mm:ss"))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"message-timestamp '{pushedAt}' is not 'yyyy-MM-dd HH:mm:ss'.", 400));
        }

        var to = value("to");
        return AdapterResult.OfReplies(
            [new ReplyItem(messageId, rawItem, msisdn, value("text") ?? "", time, InReplyTo: null, string.IsNullOrEmpty(to) ? null : to, ParserVersion)],
            reply, nonce);
    }
}
