using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Vonage;

/// <summary>
/// Vonage SMS API delivery receipt `err-code` values ("Vonage SMS Delivery Error Codes and Descriptions",
/// https://api.support.vonage.com/hc/en-us/articles/204014733; "All Delivery Receipts with a non-zero error code
/// can be considered as indicating failed delivery"). The err-code is looked up first; the two `status` words
/// that name a cause come after it, for receipts whose err-code is missing or says "Unknown".
/// </summary>
public static class VonageCodes
{
    public static readonly CodeTable Table = new("vonage",
    [
        new("0", Delivered, "Delivered"),
        new("1", Unknown, "Unknown: not delivered and no cause could be determined"),
        new("2", Unreachable, "Absent Subscriber - Temporary: handset temporarily unavailable. Retry"),
        new("3", InvalidNumber, "Absent Subscriber - Permanent: number no longer active, remove it"),
        new("4", Blocked, "Call Barred by User: permanent; the user must ask the operator to remove the bar"),
        new("5", CarrierRejected, "Portability Error: contact the network operator"),
        new("6", Blocked, "Anti-Spam Rejection: blocked by the carrier's anti-spam filter"),
        new("7", Unreachable, "Handset Busy: not available when sent. Retry"),
        // The only code whose documentation says "Retry" without naming the recipient's state.
        new("8", Unknown, "Network Error: failed due to a network error. Retry", Retryable: true),
        // Vonage's opt-out guide: "err-code … 9 … the user has requested not to receive messages from the sending number".
        new("9", Blocked, "Illegal Number: the user asked not to receive messages from this service"),
        new("10", CarrierRejected, "Illegal Message: error in a message parameter, e.g. wrong encoding flag"),
        new("11", CarrierRejected, "Unroutable: Vonage cannot find a suitable route"),
        new("12", InvalidNumber, "Destination Unreachable: route to number cannot be found; confirm the number"),
        new("13", Blocked, "Subscriber Age Restriction"),
        new("14", Blocked, "Number Blocked by Carrier"),
        // Codes above 14 were cut from the copy read here; they stay unknown.

        // `status` words (https://developer.vonage.com/messaging/sms/guides/delivery-receipts): Vonage generates
        // `expired` itself when no final receipt came within 72 hours.
        new("expired", Expired, "status: held by the downstream carrier's retry scheme and expired"),
        new("rejected", CarrierRejected, "status: rejected"),
    ]);
}
