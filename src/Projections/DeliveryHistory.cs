using JasperFx.Events;
using Ledger.Events;
using Ledger.Status;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>One event of a message stream as the history shows it.</summary>
public sealed record HistoryEntry
{
    /// <summary>Position in the stream, counted by the projection (quick append shows inline projections version 0).</summary>
    public long Version { get; init; }

    /// <summary>The pinned event type name (`callback_received`, `report_interpreted`).</summary>
    public string Type { get; init; } = "";

    public Guid RequestId { get; init; }
    public int? ItemIndex { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Seconds since the previous callback of this message (callback_received only; null for the first).</summary>
    public double? GapSeconds { get; init; }

    public ProviderTime? ProviderTime { get; init; }
    public DeliveryStatus? Status { get; init; }
    public bool? Final { get; init; }
    public string? ProviderStatus { get; init; }
    public string? ErrorCode { get; init; }
    public string? Description { get; init; }
    public string? ParserVersion { get; init; }

    /// <summary>The part of a long message the report is about (Huawei `sequence`/`total`); null for whole-message reports.</summary>
    public MessagePart? Part { get; init; }

    /// <summary>What the report did to the status (report_interpreted only).</summary>
    public ReportEffect? Effect { get; init; }

    /// <summary>The message's status right after this event.</summary>
    public DeliveryStatus StatusAfter { get; init; }

    /// <summary>The replay that appended this event (interpretation_corrected, callback_rescued).</summary>
    public Guid? ReplayId { get; init; }

    /// <summary>A correction: the status the item had been read as before.</summary>
    public DeliveryStatus? PreviousStatus { get; init; }
}

/// <summary>
/// Every event of one message stream in order, with what each report did (applied, duplicate, conflict,
/// superseded) and the gap between callbacks: what support reads when tracing a complaint. Kept inline
/// beside MessageStatus; the effects come from the very same step function.
/// </summary>
public sealed record DeliveryHistory
{
    public string Id { get; init; } = "";
    public string Provider { get; init; } = "";
    public string MessageKey { get; init; } = "";
    public IReadOnlyList<HistoryEntry> Entries { get; init; } = [];

    /// <summary>What the status rules need to decide the effect of the next report (not the whole status).</summary>
    public HistoryState State { get; init; } = new();
}

/// <summary>
/// The part of the message's status the history's step needs: position (status, final, effective time),
/// the fingerprints seen, the version, the account and whether it was registered. Item interpretations
/// are not kept a second time: a correction rebuilds them from the history's own entries
/// (<see cref="DeliveryHistoryProjection.Items"/>). The member names are MessageStatus's, so a history
/// stored with the whole status in its State reads back as this.
/// </summary>
public sealed record HistoryState
{
    public string Account { get; init; } = "";
    public DeliveryStatus Status { get; init; } = DeliveryStatus.Pending;
    public bool Final { get; init; }
    public DateTimeOffset? EffectiveTime { get; init; }
    public IReadOnlyList<string> Fingerprints { get; init; } = [];
    public long StreamVersion { get; init; }
    public DateTimeOffset? SentAt { get; init; }

    public static HistoryState Of(MessageStatus status) => new()
    {
        Account = status.Account,
        Status = status.Status,
        Final = status.Final,
        EffectiveTime = status.EffectiveTime,
        Fingerprints = status.Fingerprints,
        StreamVersion = status.StreamVersion,
        SentAt = status.SentAt,
    };

    /// <summary>The status the rules work on, with <paramref name="items"/> as its item interpretations.</summary>
    public MessageStatus AsStatus(DeliveryHistory history, IReadOnlyList<ItemInterpretation>? items = null) => new()
    {
        Id = history.Id,
        Provider = history.Provider,
        MessageKey = history.MessageKey,
        Account = Account,
        Status = Status,
        Final = Final,
        EffectiveTime = EffectiveTime,
        Fingerprints = Fingerprints,
        StreamVersion = StreamVersion,
        SentAt = SentAt,
        Interpretations = items ?? [],
    };
}

public sealed partial class DeliveryHistoryProjection : SingleStreamProjection<DeliveryHistory, string>
{
    private static readonly MessageStatusProjection Status = new();
    private static readonly string ReceivedType = EventNames.Pinned[typeof(CallbackReceived)];
    private static readonly string InterpretedType = EventNames.Pinned[typeof(ReportInterpreted)];
    private static readonly string CorrectedType = EventNames.Pinned[typeof(InterpretationCorrected)];

    public DeliveryHistory Create(IEvent<CallbackReceived> e)
    {
        var state = Status.Create(e);
        return new DeliveryHistory
        {
            Id = state.Id,
            Provider = e.Data.Provider,
            MessageKey = e.Data.MessageKey,
            State = HistoryState.Of(state),
            Entries = [Received(e.Data, state, gap: null)],
        };
    }

    public DeliveryHistory Apply(CallbackReceived e, DeliveryHistory current)
    {
        var state = Status.Apply(e, current.State.AsStatus(current));
        var previous = current.Entries.LastOrDefault(x => x.Type == ReceivedType);
        double? gap = previous is null ? null : (e.ReceivedAt - previous.ReceivedAt).TotalSeconds;
        return current with { State = HistoryState.Of(state), Entries = [.. current.Entries, Received(e, state, gap)] };
    }

    public DeliveryHistory Apply(ReportInterpreted e, DeliveryHistory current)
    {
        var (state, effect) = MessageStatusProjection.Step(current.State.AsStatus(current), e);
        var entry = Reported(e.Report, state, InterpretedType, e.RequestId, e.ReceivedAt) with { Effect = effect };
        return current with { State = HistoryState.Of(state), Entries = [.. current.Entries, entry] };
    }

    /// <summary>A replay's correction: shown as its own entry, with what the item was read as before and after.</summary>
    public DeliveryHistory Apply(InterpretationCorrected e, DeliveryHistory current)
    {
        // The status is recomputed from every item's current interpretation, as MessageStatus does.
        var state = Status.Apply(e, current.State.AsStatus(current, Items(current.Entries)));
        var entry = Reported(e.Corrected, state, CorrectedType, e.RequestId, e.CorrectedAt) with
        {
            ItemIndex = e.ItemIndex,
            ReplayId = e.ReplayId,
            PreviousStatus = e.Previous.Status,
        };
        return current with { State = HistoryState.Of(state), Entries = [.. current.Entries, entry] };
    }

    /// <summary>
    /// The stream's items and their current interpretations, read back from the entries exactly as
    /// MessageStatus keeps them: a callback_received adds an item, a report_interpreted fills the last
    /// unread item of its request, an interpretation_corrected replaces its item's report. The entries
    /// carry every report member the status rules read, the part included (it is in the fingerprint),
    /// but not the phone, reference or billed parts, which the history's status does not keep.
    /// </summary>
    public static IReadOnlyList<ItemInterpretation> Items(IReadOnlyList<HistoryEntry> entries)
    {
        IReadOnlyList<ItemInterpretation> items = [];
        foreach (var entry in entries)
        {
            if (entry.Type == ReceivedType)
            {
                items = [.. items, new ItemInterpretation(entry.RequestId, entry.ItemIndex ?? 0, entry.ReceivedAt, null)];
            }
            else if (entry.Type == InterpretedType)
            {
                items = ItemInterpretation.Interpreted(items, new ReportInterpreted(entry.RequestId, entry.ReceivedAt, AsReport(entry)));
            }
            else if (entry.Type == CorrectedType)
            {
                items = items.Select(i => i.RequestId == entry.RequestId && i.ItemIndex == entry.ItemIndex ? i with { Report = AsReport(entry) } : i).ToList();
            }
        }

        return items;
    }

    private static Report AsReport(HistoryEntry entry) => new(
        entry.Status ?? DeliveryStatus.Unknown, entry.Final ?? false, entry.ProviderStatus, entry.ErrorCode, entry.Description, entry.ProviderTime,
        Phone: null, OutId: null, BilledParts: null, entry.ParserVersion ?? "", entry.Part);

    public DeliveryHistory Create(IEvent<CallbackRescued> e)
    {
        var state = Status.Create(e);
        return new DeliveryHistory
        {
            Id = state.Id,
            Provider = e.Data.Provider,
            MessageKey = e.Data.MessageKey,
            State = HistoryState.Of(state),
            Entries = [Rescued(e.Data, state)],
        };
    }

    public DeliveryHistory Apply(CallbackRescued e, DeliveryHistory current)
    {
        var state = Status.Apply(e, current.State.AsStatus(current));
        return current with { State = HistoryState.Of(state), Entries = [.. current.Entries, Rescued(e, state)] };
    }

    public DeliveryHistory Create(MessageSubmitted e)
    {
        var state = Status.Create(e);
        return new DeliveryHistory
        {
            Id = state.Id,
            Provider = e.Provider,
            MessageKey = e.MessageKey,
            State = HistoryState.Of(state),
            Entries = [Submitted(e, state)],
        };
    }

    public DeliveryHistory Apply(MessageSubmitted e, DeliveryHistory current)
    {
        var state = Status.Apply(e, current.State.AsStatus(current));
        return current with { State = HistoryState.Of(state), Entries = [.. current.Entries, Submitted(e, state)] };
    }

    private static HistoryEntry Reported(Report report, MessageStatus state, string type, Guid requestId, DateTimeOffset at) => new()
    {
        Version = state.StreamVersion,
        Type = type,
        RequestId = requestId,
        ReceivedAt = at,
        ProviderTime = report.ProviderTime,
        Status = report.Status,
        Final = report.Final,
        ProviderStatus = report.ProviderStatus,
        ErrorCode = report.ErrorCode,
        Description = report.Description,
        ParserVersion = report.ParserVersion,
        Part = report.Part,
        StatusAfter = state.Status,
    };

    private static HistoryEntry Rescued(CallbackRescued e, MessageStatus state) => new()
    {
        Version = state.StreamVersion,
        Type = EventNames.Pinned[typeof(CallbackRescued)],
        RequestId = e.OriginalRequestId,
        ReceivedAt = e.ReceivedAt,
        Description = $"rescued from quarantine ({e.OriginalReason}) by replay {e.ReplayId}",
        StatusAfter = state.Status,
        ReplayId = e.ReplayId,
    };

    private static HistoryEntry Submitted(MessageSubmitted e, MessageStatus state) => new()
    {
        Version = state.StreamVersion,
        Type = EventNames.Pinned[typeof(MessageSubmitted)],
        RequestId = e.RequestId,
        ReceivedAt = e.RegisteredAt,
        Description = $"registered as sent at {e.SentAt:O}",
        StatusAfter = state.Status,
    };

    private static HistoryEntry Received(CallbackReceived e, MessageStatus state, double? gap) => new()
    {
        Version = state.StreamVersion,
        Type = ReceivedType,
        RequestId = e.RequestId,
        ItemIndex = e.ItemIndex,
        ReceivedAt = e.ReceivedAt,
        GapSeconds = gap,
        StatusAfter = state.Status,
    };
}
