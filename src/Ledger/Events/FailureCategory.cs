using System.Text.Json.Serialization;

namespace Ledger.Events;

/// <summary>
/// What a report's outcome means for the sender: the `category` of status and history entries
/// (docs/categories.md). The wire
/// names are fixed here, member by member, so renaming a C# member can never change what was stored.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FailureCategory>))]
public enum FailureCategory
{
    /// <summary>The handset has the message.</summary>
    [JsonStringEnumMemberName("delivered")]
    Delivered,

    /// <summary>The number cannot receive SMS at all: empty, suspended, cancelled (空号/停机/销号), or not a mobile line.</summary>
    [JsonStringEnumMemberName("invalid_number")]
    InvalidNumber,

    /// <summary>The number is fine but the handset was not reachable: powered off, out of coverage, busy (关机/不在服务区).</summary>
    [JsonStringEnumMemberName("unreachable")]
    Unreachable,

    /// <summary>Refused because of who or what: blacklist, opt-out, keyword, complaint, spam filter (黑名单/关键字/投诉).</summary>
    [JsonStringEnumMemberName("blocked")]
    Blocked,

    /// <summary>Refused because of how often: frequency or flow control (频控/流控).</summary>
    [JsonStringEnumMemberName("rate_limited")]
    RateLimited,

    /// <summary>
    /// Refused by the carrier or the provider's platform for a reason of the sending side: routing, sender id,
    /// template or signature, account state, message format. Resending unchanged fails the same way.
    /// </summary>
    [JsonStringEnumMemberName("carrier_rejected")]
    CarrierRejected,

    /// <summary>The validity period ran out before the handset could be reached.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired,

    /// <summary>No documented code says why, or the code's documentation mixes causes that call for different actions.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,
}

/// <summary>A report's category and whether sending the same message again may succeed.</summary>
public sealed record Classification(FailureCategory Category, bool Retryable);
