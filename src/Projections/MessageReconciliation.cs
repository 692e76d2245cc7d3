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

    /// <summary>Interpretations replaced by replays (`InterpretationCorrected`); the daily `corrected` sums it.</summary>
    public int Corrections { get; init; }

    /// <summary>Every item's current interpretation, so a correction recomputes the status like MessageStatus does.</summary>
    public IReadOnlyList<ItemInterpretation> Interpretations { get; init; } = [];

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
        Interpretations = [ItemInterpretation.Received(e)],
    });

    public MessageReconciliation Apply(CallbackReceived e, MessageReconciliation current) => Dated(current with
    {
        Callbacks = current.Callbacks + 1,
        FirstReceivedAt = current.FirstReceivedAt is { } first && first <= e.ReceivedAt ? first : e.ReceivedAt,
        Interpretations = [.. current.Interpretations, ItemInterpretation.Received(e)],
    });

    public MessageReconciliation Apply(ReportInterpreted e, MessageReconciliation current)
    {
        // The status rules are MessageStatus's own (PRODUCT.md rule 4), so both views always agree.
        var status = MessageStatusProjection.Evolve(AsStatus(current), e);
        var providerTime = e.Report.ProviderTime?.Utc;
        return Dated(WithStatus(current, status) with
        {
            Phone = status.Phone,
            OutId = status.OutId,
            EarliestProviderTime = providerTime is { } t && (current.EarliestProviderTime is not { } known || t < known) ? t : current.EarliestProviderTime,
            Interpretations = ItemInterpretation.Interpreted(current.Interpretations, e),
        });
    }

    /// <summary>The part of the row the status rules read, as the MessageStatus they work on.</summary>
    private static MessageStatus AsStatus(MessageReconciliation row) => new()
    {
        Status = row.Status,
        Final = row.Final,
        EffectiveTime = row.EffectiveTime,
        ReportedAt = row.ReportedAt,
        Fingerprints = row.Fingerprints,
        DuplicateCount = row.Duplicates,
        BilledParts = row.BilledParts,
        Phone = row.Phone,
        OutId = row.OutId,
        Interpretations = row.Interpretations,
    };

    private static MessageReconciliation WithStatus(MessageReconciliation row, MessageStatus status) => row with
    {
        Status = status.Status,
        Final = status.Final,
        EffectiveTime = status.EffectiveTime,
        ReportedAt = status.ReportedAt,
        Fingerprints = status.Fingerprints,
        Duplicates = status.DuplicateCount,
        BilledParts = status.BilledParts,
    };

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

    private static readonly MessageStatusProjection StatusRules = new();

    /// <summary>
    /// A replay's correction: the status is recomputed by MessageStatus's own code from every item's
    /// current interpretation, and the day follows if the corrected provider time moves it.
    /// </summary>
    public MessageReconciliation Apply(InterpretationCorrected e, MessageReconciliation current)
    {
        var status = StatusRules.Apply(e, AsStatus(current));
        var earliest = status.Interpretations
            .Select(i => i.Report?.ProviderTime?.Utc)
            .Where(t => t is not null)
            .DefaultIfEmpty(null)
            .Min();
        return Dated(WithStatus(current, status) with
        {
            Interpretations = status.Interpretations,
            EarliestProviderTime = earliest,
            Corrections = current.Corrections + 1,
        });
    }

    /// <summary>A rescued request's own CallbackReceived and ReportInterpreted follow and do the counting.</summary>
    public MessageReconciliation Apply(CallbackRescued e, MessageReconciliation current) => current;

    public MessageReconciliation Create(CallbackRescued e) => Dated(new MessageReconciliation
    {
        Id = StreamKeys.Message(e.Provider, e.MessageKey),
        Provider = e.Provider,
        Account = e.Account,
        MessageKey = e.MessageKey,
        FirstReceivedAt = e.ReceivedAt,
    });

    /// <summary>
    /// The same projection folded over events in memory: "as of" answers aggregate the message streams'
    /// events up to an instant with exactly the code that keeps the inline rows.
    /// </summary>
    public MessageReconciliation? Fold(IEnumerable<object> events)
    {
        MessageReconciliation? row = null;
        foreach (var e in events)
        {
            row = Step(row, e);
        }

        return row;
    }

    /// <summary>One event applied to the row (null: no row yet); an event the row does not concern leaves it as it is.</summary>
    public MessageReconciliation? Step(MessageReconciliation? row, object e) => (e, row) switch
    {
        (CallbackReceived c, null) => Create(c),
        (CallbackReceived c, { } r) => Apply(c, r),
        (MessageSubmitted s, null) => Create(s),
        (MessageSubmitted s, { } r) => Apply(s, r),
        (ReportInterpreted i, { } r) => Apply(i, r),
        (InterpretationCorrected c, { } r) => Apply(c, r),
        (CallbackRescued c, null) => Create(c),
        (CallbackRescued c, { } r) => Apply(c, r),
        _ => row,
    };

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
