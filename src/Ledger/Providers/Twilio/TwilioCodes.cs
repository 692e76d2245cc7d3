using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Twilio;

/// <summary>
/// Twilio `ErrorCode` values of failed and undelivered messages, from Twilio's Error and Warning Dictionary
/// (https://www.twilio.com/docs/api/errors, one page per code: https://www.twilio.com/docs/api/errors/30003 …).
/// `MessageStatus` words carry no cause (`undelivered`, `failed`, `canceled`), so only the code is looked up;
/// a failure without a code is unknown. Each entry keeps the title of its dictionary page; the comment above
/// each group says how much of the page could be read.
/// </summary>
public static class TwilioCodes
{
    public static readonly CodeTable Table = new("twilio",
    [
        // Pages read in full (title, description, possible causes and solutions).
        new("30001", RateLimited, "Queue overflow: sent faster than the sender's rate; queued messages fail after 10 hours"),
        new("30002", CarrierRejected, "Account suspended after the message was queued (funds or Acceptable Use Policy)"),
        new("30003", Unreachable, "Unreachable destination handset: powered off, no signal, roaming off-network; retry"),
        new("30006", InvalidNumber, "Landline or unreachable carrier: do not retry the same SMS to that destination"),
        // "Twilio encountered an internal error… If the error persists, please contact us": nothing about the
        // recipient, and no advice to resend.
        new("30021", Unknown, "Internal Failure with messaging service orchestrator"),
        new("30022", RateLimited, "US A2P 10DLC - Rate Limits Exceeded: slow down"),
        new("30024", CarrierRejected, "Numeric Sender ID Not Provisioned on Carrier"),
        // The message waited in Twilio's queue longer than its ValidityPeriod: "Retry the message with a longer
        // ValidityPeriod". Expired, and retryable like every expiry.
        new("30036", Expired, "Validity Period Expired: queued longer than the configured ValidityPeriod"),
        new("30042", CarrierRejected, "The Sender ID is blocked as generic or it contains special characters"),
        // "Twilio's platform encountered an internal error… Try sending the message again."
        new("30500", Unknown, "Twilio Internal Error: try sending the message again", Retryable: true),

        // Mapped on the code's title alone, as the dictionary's JSON download (twilio-error-codes.json, linked
        // from the Error and Warning Dictionary page) lists it: the pages themselves were not in the searched
        // corpus. 30003, 30005 and 30007 are the examples Twilio's status-callback guide names. Check an entry
        // against its page before relying on it.
        new("30004", Blocked, "Message blocked"),
        new("30005", InvalidNumber, "Unknown destination handset"),
        new("30007", Blocked, "Message filtered (carrier filtering)"),
        new("30008", Unknown, "Unknown error"),
        new("30009", Unknown, "Missing inbound segment"),
        new("30010", CarrierRejected, "Message price exceeds max price"),
        new("30011", CarrierRejected, "MMS not supported by the receiving phone number in this region"),
        new("30017", RateLimited, "Carrier network congestion"),
        new("30018", CarrierRejected, "Destination carrier requires sender ID pre-registration"),
        new("30019", CarrierRejected, "Content size exceeds carrier limit"),
        new("30020", Unknown, "Internal Failure with Message Scheduling"),
        new("30023", RateLimited, "US A2P 10DLC - Daily Message Cap Reached"),
        new("30027", RateLimited, "US A2P 10DLC - T-Mobile Daily Message Limit Reached"),
        new("30032", CarrierRejected, "Toll-Free Number Has Not Been Verified"),
        new("30034", CarrierRejected, "US A2P 10DLC - Message from an Unregistered Number"),
        new("30037", CarrierRejected, "Outbound Messaging Disabled"),
        new("30040", CarrierRejected, "Destination carrier requires Sender ID pre-registration"),
        new("30041", CarrierRejected, "Message from an unregistered number sent to a United Kingdom number"),
        new("30043", CarrierRejected, "International SMS via Domestic Gateway"),
        new("30450", Blocked, "Message delivery blocked"),

        // Not mapped, on purpose:
        // - 30038 (OTP Message Body Filtered) and 30039 (Filtered to Prevent Message Loops) are about inbound
        //   messages; no outbound report carries them.
        // - 30026 (70% T-Mobile Daily Message Limit Consumed) is a warning, not a failure; 30029 (Invalid
        //   ContentRetention) and 30031 (Invalid MaxRate) refuse a request and never reach a status callback.
        // - 30012-30016, 30025, 30028, 30030, 30033, 30035 and 30044: their titles could not be read here, so they
        //   stay unknown until someone reads the page.
    ]);
}
