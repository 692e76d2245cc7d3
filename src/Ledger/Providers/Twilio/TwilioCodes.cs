using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Twilio;

/// <summary>
/// Twilio `ErrorCode` values of failed and undelivered messages, from Twilio's error dictionary
/// (https://www.twilio.com/docs/api/errors, one page per code: https://www.twilio.com/docs/api/errors/30003 …).
/// `MessageStatus` words carry no cause (`undelivered`, `failed`, `canceled`), so only the code is looked up;
/// a failure without a code is unknown.
/// </summary>
public static class TwilioCodes
{
    public static readonly CodeTable Table = new("twilio",
    [
        // Pages read for this table.
        new("30001", RateLimited, "Queue overflow: sent faster than the sender's rate; queued messages fail after 10 hours"),
        new("30002", CarrierRejected, "Account suspended after the message was queued (funds or Acceptable Use Policy)"),
        new("30003", Unreachable, "Unreachable destination handset: powered off, no signal, roaming off-network; retry"),
        new("30006", InvalidNumber, "Landline or unreachable carrier: do not retry the same SMS to that destination"),
        new("30022", RateLimited, "US A2P 10DLC - Rate Limits Exceeded: slow down"),
        new("30024", CarrierRejected, "Numeric Sender ID Not Provisioned on Carrier"),

        // Mapped on the code's title in Twilio's error dictionary alone: these pages were not in the searched
        // corpus (30003, 30005 and 30007 are the examples Twilio's status-callback guide names). Check an entry
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
        new("30023", RateLimited, "US A2P 10DLC - Daily Message Cap Reached"),
        new("30027", RateLimited, "US A2P 10DLC - T-Mobile Daily Message Limit Reached"),
        new("30032", CarrierRejected, "Toll-Free Number Has Not Been Verified"),
        new("30034", CarrierRejected, "US A2P 10DLC - Message from an Unregistered Number"),

        // 30012-30016, 30020, 30021, 30025, 30026, 30028-30031 and 30033 are not mapped: their titles could
        // not be checked here, so they stay unknown until someone reads the page.
    ]);
}
