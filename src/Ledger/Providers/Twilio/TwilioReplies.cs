using Ledger.Events;
namespace Ledger.Providers.Twilio;

/// <summary>
/// Twilio's incoming-message webhook (https://www.twilio.com/docs/messaging/guides/webhook-request): a
/// form POST to the number's or Messaging Service's "A message comes in" URL, signed with
/// `X-Twilio-Signature` exactly like a status callback. `MessageSid` is the reply's own id, `From` the
/// phone, `To` our number, `Body` the text; `OriginalRepliedMessageSid` names the message answered when
/// the phone used the channel's reply feature (WhatsApp) and is the only link Twilio gives.
/// </summary>
public static class TwilioReplies
{
    public const string ParserVersion = "twilio-reply/1";

    /// <summary>
    /// Empty TwiML: the webhook's answer is read as instructions, and an empty `&lt;Response/&gt;` says "send no
    /// reply". An empty text body would be logged by Twilio as a content-type error (12300).
    /// </summary>
    public static readonly ProviderReply Received = ProviderReply.Xml("""<?xml version="1.0" encoding="UTF-8"?><Response></Response>""");

    public static AdapterResult Read(string body, Func<string, string?> value)
    {
        if (value("Body") is not { } text || value("From") is null)
        {
            return AdapterResult.Reject(ReplyRejections.Unknown("This is not a Twilio incoming message (MessageSid, From, To, Body)."));
        }

        if (value("MessageSid") is not { } messageSid || string.IsNullOrWhiteSpace(messageSid))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, "MessageSid is required: it identifies the reply.", 400));
        }

        return AdapterResult.OfReplies(
            [new ReplyItem(messageSid, body, value("From"), text, ProviderTime: null, NullIfEmpty(value("OriginalRepliedMessageSid")), NullIfEmpty(value("To")),
                ParserVersion)],
            Received);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
