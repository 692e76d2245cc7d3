using Ledger.Events;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// One message as finance counts it: the business day it counts on, its status bucket and what it
/// cost. Kept inline from the message stream, so the daily totals are an indexed GROUP BY over these
/// rows for the requested days (never a scan of raw events), exact whatever order reports, duplicates
/// and registrations arrived in.
/// <para>
/// The day is the sent day when the message was registered, else the day of the earliest provider time
/// among its reports, else of its first receipt: so a registration that comes after the reports may move
/// the message from its report day to its sent day. <see cref="EarliestDay"/>/<see cref="LatestDay"/>
/// bound every day it was ever counted on, which is what "as of" queries look for.
/// </para>
/// </summary>
public sealed record MessageReconciliation
{
    public string Id { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Account { get; init; } = "";
    public string MessageKey { get; init; } = "";

    /// <summary>Business day (`yyyy-MM-dd`) the message counts on.</summary>
    public string Day { get; init; } = "";
    public string EarliestDay { get; init; } = "";
    public string LatestDay { get; init; } = "";

    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
    public DateTimeOffset? EarliestProviderTime { get; init; }
    public DateTimeOffset? FirstReceivedAt { get; init; }

    public DeliveryStatus Status { get; init; } = DeliveryStatus.Pending;
    public bool Final { get; init; }
    public DateTimeOffset? ReportedAt { get; init; }
    public DateTimeOffset? EffectiveTime { get; init; }
    public IReadOnlyList<string> Fingerprints { get; init; } = [];

    public int? BilledParts { get; init; }
    public int Callbacks { get; init; }
    public int Duplicates { get; init; }

    /// <summary>
    /// Hook for replays: the number of `InterpretationCorrected` events that changed this message (being
    /// added on another branch). Stays 0 until that event exists; the daily `corrected` sums it.
    /// </summary>
    public int Corrections { get; init; }

    public string? Phone { get; init; }
    public string? OutId { get; init; }

    /// <summary>Registered as sent, no final report, and the wait is over (PRODUCT.md: reports that never come).</summary>
    public bool IsMissingReport(DateTimeOffset now, TimeSpan wait) => SentAt is { } sent && !Final && sent + wait <= now;
}

/// <summary>
/// Builds <see cref="MessageReconciliation"/> from a message stream. The business-day time zone is given
/// at registration; changing it means rebuilding this projection.
/// </summary>
public sealed partial class MessageReconciliationProjection : SingleStreamProjection<MessageReconciliation, string>
{
    private readonly TimeZoneInfo _zone;

    public MessageReconciliationProjection(TimeZoneInfo zone)
    {
        _zone = zone;
    }

    public MessageReconciliation Create(CallbackReceived e) => Dated(new MessageReconciliation
    {
        Id = StreamKeys.Message(e.Provider, e.MessageKey),
        Provider = e.Provider,
        Account = e.Account,
        MessageKey = e.MessageKey,
        FirstReceivedAt = e.ReceivedAt,
        Callbacks = 1,
    });

    public MessageReconciliation Apply(CallbackReceived e, MessageReconciliation current) => Dated(current with
    {
        Callbacks = current.Callbacks + 1,
        FirstReceivedAt = current.FirstReceivedAt is { } first && first <= e.ReceivedAt ? first : e.ReceivedAt,
    });

    public MessageReconciliation Apply(ReportInterpreted e, MessageReconciliation current)
    {
        // The status rules are MessageStatus's own (PRODUCT.md rule 4), so both views always agree.
        var status = MessageStatusProjection.Evolve(new MessageStatus
        {
            Status = current.Status,
            Final = current.Final,
            EffectiveTime = current.EffectiveTime,
            ReportedAt = current.ReportedAt,
            Fingerprints = current.Fingerprints,
            DuplicateCount = current.Duplicates,
            BilledParts = current.BilledParts,
            Phone = current.Phone,
            OutId = current.OutId,
        }, e);

        var providerTime = e.Report.ProviderTime?.Utc;
        return Dated(current with
        {
            Status = status.Status,
            Final = status.Final,
            EffectiveTime = status.EffectiveTime,
            ReportedAt = status.ReportedAt,
            Fingerprints = status.Fingerprints,
            Duplicates = status.DuplicateCount,
            BilledParts = status.BilledParts,
            Phone = status.Phone,
            OutId = status.OutId,
            EarliestProviderTime = providerTime is { } t && (current.EarliestProviderTime is not { } known || t < known) ? t : current.EarliestProviderTime,
        });
    }

    public MessageReconciliation Create(MessageSubmitted e) => Dated(new MessageReconciliation
    {
        Id = StreamKeys.Message(e.Provider, e.MessageKey),
        Provider = e.Provider,
        Account = e.Account,
        MessageKey = e.MessageKey,
        SentAt = e.SentAt,
        RegisteredAt = e.RegisteredAt,
        Phone = e.Phone,
        OutId = e.OutId,
        BilledParts = e.BilledParts,
    });

    /// <summary>The first registration wins; a report that came first keeps its status and billed parts.</summary>
    public MessageReconciliation Apply(MessageSubmitted e, MessageReconciliation current) => current.SentAt is not null
        ? current
        : Dated(current with
        {
            SentAt = e.SentAt,
            RegisteredAt = e.RegisteredAt,
            Account = e.Account,
            Phone = current.Phone ?? e.Phone,
            OutId = current.OutId ?? e.OutId,
            BilledParts = current.BilledParts ?? e.BilledParts,
        });

    // InterpretationCorrected (replays, another branch) goes here: re-evaluate the status with the new
    // report and count it: `current with { Corrections = current.Corrections + 1, … }`.

    /// <summary>
    /// The same projection folded over events in memory: "as of" answers aggregate the message streams'
    /// events up to an instant with exactly the code that keeps the inline rows.
    /// </summary>
    public MessageReconciliation? Fold(IEnumerable<object> events)
    {
        MessageReconciliation? row = null;
        foreach (var e in events)
        {
            row = (e, row) switch
            {
                (CallbackReceived c, null) => Create(c),
                (CallbackReceived c, { } r) => Apply(c, r),
                (MessageSubmitted s, null) => Create(s),
                (MessageSubmitted s, { } r) => Apply(s, r),
                (ReportInterpreted i, { } r) => Apply(i, r),
                _ => row,
            };
        }

        return row;
    }

    private MessageReconciliation Dated(MessageReconciliation row)
    {
        var counted = row.SentAt ?? row.EarliestProviderTime ?? row.FirstReceivedAt;
        if (counted is not { } instant)
        {
            return row;
        }

        var day = BusinessDay.Of(instant, _zone);
        return row with
        {
            Day = day,
            EarliestDay = row.EarliestDay.Length == 0 || string.CompareOrdinal(day, row.EarliestDay) < 0 ? day : row.EarliestDay,
            LatestDay = string.CompareOrdinal(day, row.LatestDay) > 0 ? day : row.LatestDay,
        };
    }
}
