using JasperFx.Events;
using Ledger.Events;
using Ledger.Providers;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// One quarantined request (or one item of a batch refused on its own), by the business day it was received
/// on, for the daily `rejected` count. Built from the quarantine stream `quarantine:{requestId}[:{index}]` (never a message stream: the message id a
/// refused request claims cannot be trusted, so it counts per provider/account/day, not per message).
/// </summary>
public sealed record RejectedRequest
{
    public string Id { get; init; } = "";
    public Guid RequestId { get; init; }

    /// <summary>The refused item's position when one item of an accepted batch was refused on its own; null for a whole request.</summary>
    public int? ItemIndex { get; init; }
    public string Provider { get; init; } = "";
    public string Account { get; init; } = "";
    public string Day { get; init; } = "";
    public string Reason { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
}

public sealed partial class RejectedRequestProjection : SingleStreamProjection<RejectedRequest, string>
{
    /// <summary>The provider and account of a refusal whose route named none that is configured.</summary>
    public const string Unknown = "unknown";

    private readonly TimeZoneInfo _zone;

    public RejectedRequestProjection(TimeZoneInfo zone)
    {
        _zone = zone;
        IncludeType<RequestQuarantined>();
    }

    /// <summary>The one fold, used by Marten (inline, rebuild) and by the group commit's writer alike.</summary>
    public override RejectedRequest? Evolve(RejectedRequest? snapshot, string id, IEvent e) => Next(snapshot, e.Data);

    /// <summary>A quarantine stream's first event makes the row; nothing else changes it.</summary>
    public RejectedRequest? Next(RejectedRequest? current, object e) => e is RequestQuarantined q && current is null ? Rejected(q) : current;

    private RejectedRequest Rejected(RequestQuarantined e) => new()
    {
        Id = e.ItemIndex is { } index ? StreamKeys.Quarantine(e.RequestId, index) : StreamKeys.Quarantine(e.RequestId),
        RequestId = e.RequestId,
        ItemIndex = e.ItemIndex,
        // A route naming no configured provider or account carries text of the caller's choosing: counted
        // under `unknown`, so `/callbacks/{anything}` cannot create finance rows (the event keeps the text).
        Provider = e.Reason == RejectionReasons.UnknownProvider ? Unknown : e.Provider,
        // A route that names no account is the `default` account (docs/api.md).
        Account = e.Reason is RejectionReasons.UnknownProvider or RejectionReasons.UnknownAccount ? Unknown
            : string.IsNullOrEmpty(e.Account) ? "default" : e.Account,
        Day = BusinessDay.Of(e.ReceivedAt, _zone),
        Reason = e.Reason,
        ReceivedAt = e.ReceivedAt,
    };
}
