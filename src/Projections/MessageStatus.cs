using JasperFx.Events;
using Ledger.Events;
using Ledger.Status;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// Current status of one message (stream `{provider}:{messageKey}`), kept inline: it commits in the
/// same transaction as the events. Immutable: every event gives a new document.
/// </summary>
public sealed record MessageStatus
{
    public string Id { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Account { get; init; } = "";
    public string MessageKey { get; init; } = "";
    public DeliveryStatus Status { get; init; } = DeliveryStatus.Pending;
    public bool Final { get; init; }
    public string? ProviderStatus { get; init; }
    public string? ErrorCode { get; init; }
    public string? Description { get; init; }
    public string? Phone { get; init; }
    public DateTimeOffset? ReportedAt { get; init; }
    public string? ReportedAtRaw { get; init; }
    public string? TimeRule { get; init; }
    public DateTimeOffset FirstReceivedAt { get; init; }
    public DateTimeOffset LastReceivedAt { get; init; }
    public int CallbackCount { get; init; }
    public int DuplicateCount { get; init; }
    public int ConflictCount { get; init; }
    public int? BilledParts { get; init; }
    public string? OutId { get; init; }
    public string? ParserVersion { get; init; }

    /// <summary>The stream version this document reflects (every event of the stream counts).</summary>
    public long StreamVersion { get; init; }

    /// <summary>Ordering time of the report that set the status (provider time, else arrival).</summary>
    public DateTimeOffset? EffectiveTime { get; init; }

    /// <summary>Reports already seen, to recognise a re-pushed report as a duplicate.</summary>
    public IReadOnlyList<string> Fingerprints { get; init; } = [];

    /// <summary>Interpretations replaced by a replay's InterpretationCorrected.</summary>
    public int CorrectedCount { get; init; }

    /// <summary>
    /// The current interpretation of every item in the stream, in stream order, so a correction can
    /// replace one item's report and the status be recomputed by the same rules.
    /// </summary>
    public IReadOnlyList<ItemInterpretation> Interpretations { get; init; } = [];

    /// <summary>When the message was sent, from its registration (`MessageSubmitted`); null when never registered.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>Computed from the stored members, so not stored itself.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public StatusPosition? Position => EffectiveTime is { } t ? new StatusPosition(Status, Final, t) : null;

    /// <summary>The phone's digits only: what `GET /messages?phone=` matches exactly (indexed), while views mask the phone.</summary>
    public string? PhoneDigits => PhoneNumbers.Digits(Phone);
}

public sealed partial class MessageStatusProjection : SingleStreamProjection<MessageStatus, string>
{
    public MessageStatus Create(IEvent<CallbackReceived> e) => new()
    {
        Id = e.StreamKey ?? StreamKeys.Message(e.Data.Provider, e.Data.MessageKey),
        Provider = e.Data.Provider,
        Account = e.Data.Account,
        MessageKey = e.Data.MessageKey,
        FirstReceivedAt = e.Data.ReceivedAt,
        LastReceivedAt = e.Data.ReceivedAt,
        CallbackCount = 1,
        StreamVersion = 1,
        Interpretations = [ItemInterpretation.Received(e.Data)],
    };

    public MessageStatus Apply(CallbackReceived e, MessageStatus current) => current with
    {
        CallbackCount = current.CallbackCount + 1,
        // CallbackCount 0: the stream began with a registration, so there is no receive time to keep yet.
        FirstReceivedAt = current.CallbackCount == 0 || e.ReceivedAt < current.FirstReceivedAt ? e.ReceivedAt : current.FirstReceivedAt,
        LastReceivedAt = e.ReceivedAt > current.LastReceivedAt ? e.ReceivedAt : current.LastReceivedAt,
        StreamVersion = current.StreamVersion + 1,
        Interpretations = [.. current.Interpretations, ItemInterpretation.Received(e)],
    };

    public MessageStatus Apply(ReportInterpreted e, MessageStatus current) => Evolve(current, e) with
    {
        Interpretations = ItemInterpretation.Interpreted(current.Interpretations, e),
    };

    /// <summary>Status rules (PRODUCT.md rule 4) applied to the document. Pure.</summary>
    public static MessageStatus Evolve(MessageStatus current, ReportInterpreted e) => Step(current, e).Next;

    /// <summary>
    /// The next document and what the report did (applied, duplicate, conflict, superseded). Shared by
    /// this projection and DeliveryHistory, so the history's flags are exactly the status's reasons.
    /// </summary>
    public static (MessageStatus Next, ReportEffect Effect) Step(MessageStatus current, ReportInterpreted e)
    {
        var report = e.Report;
        var next = current with
        {
            StreamVersion = current.StreamVersion + 1,
            // Facts about the message itself are kept from whichever report first carried them.
            Phone = current.Phone ?? report.Phone,
            OutId = current.OutId ?? report.OutId,
            BilledParts = current.BilledParts ?? report.BilledParts,
        };

        var fingerprint = report.Fingerprint;
        if (current.Fingerprints.Contains(fingerprint))
        {
            return (next with { DuplicateCount = current.DuplicateCount + 1 }, ReportEffect.Duplicate);
        }

        next = next with { Fingerprints = [.. current.Fingerprints, fingerprint] };
        var effect = StatusMachine.Decide(current.Position, report, e.ReceivedAt);
        var evolved = effect switch
        {
            ReportEffect.Applied => next with
            {
                Status = report.Status,
                Final = report.Final,
                ProviderStatus = report.ProviderStatus,
                ErrorCode = report.ErrorCode,
                Description = report.Description,
                ReportedAt = report.ProviderTime?.Utc,
                ReportedAtRaw = report.ProviderTime?.Raw,
                TimeRule = report.ProviderTime?.Rule,
                EffectiveTime = StatusMachine.EffectiveTime(report, e.ReceivedAt),
                ParserVersion = report.ParserVersion,
                BilledParts = report.BilledParts ?? next.BilledParts,
            },
            ReportEffect.Conflict => next with { ConflictCount = current.ConflictCount + 1 },
            _ => next,
        };
        return (evolved, effect);
    }

    // Replay (PRODUCT.md rule 7). A correction replaces one item's interpretation; the status is then
    // recomputed from every item's current interpretation, in stream order, by the same rules as at
    // ingest, so a corrected report is treated exactly as if the parser had read it that way first.

    public MessageStatus Apply(InterpretationCorrected e, MessageStatus current)
    {
        var items = current.Interpretations
            .Select(i => i.RequestId == e.RequestId && i.ItemIndex == e.ItemIndex ? i with { Report = e.Corrected } : i)
            .ToList();
        var reset = current with
        {
            Status = DeliveryStatus.Pending,
            Final = false,
            ProviderStatus = null,
            ErrorCode = null,
            Description = null,
            ReportedAt = null,
            ReportedAtRaw = null,
            TimeRule = null,
            EffectiveTime = null,
            ParserVersion = null,
            DuplicateCount = 0,
            ConflictCount = 0,
            Fingerprints = [],
        };
        foreach (var item in items)
        {
            if (item.Report is { } report)
            {
                reset = Evolve(reset, new ReportInterpreted(item.RequestId, item.ReceivedAt, report));
            }
        }

        return reset with
        {
            StreamVersion = current.StreamVersion + 1,
            CorrectedCount = current.CorrectedCount + 1,
            Interpretations = items,
        };
    }

    /// <summary>The rescued item's CallbackReceived and ReportInterpreted follow and do the counting.</summary>
    public MessageStatus Apply(CallbackRescued e, MessageStatus current) => current with { StreamVersion = current.StreamVersion + 1 };

    public MessageStatus Create(IEvent<CallbackRescued> e) => new()
    {
        Id = e.StreamKey ?? StreamKeys.Message(e.Data.Provider, e.Data.MessageKey),
        Provider = e.Data.Provider,
        Account = e.Data.Account,
        MessageKey = e.Data.MessageKey,
        FirstReceivedAt = e.Data.ReceivedAt,
        LastReceivedAt = e.Data.ReceivedAt,
        StreamVersion = 1,
    };

    // Sent registration (POST /messages/sent). A report that arrived first keeps its status and the facts
    // it carried; a second registration changes nothing but the version.
    public MessageStatus Create(MessageSubmitted e) => new()
    {
        Id = StreamKeys.Message(e.Provider, e.MessageKey),
        Provider = e.Provider,
        Account = e.Account,
        MessageKey = e.MessageKey,
        Status = DeliveryStatus.Pending,
        SentAt = e.SentAt,
        Phone = e.Phone,
        OutId = e.OutId,
        BilledParts = e.BilledParts,
        StreamVersion = 1,
    };

    public MessageStatus Apply(MessageSubmitted e, MessageStatus current) => current.SentAt is not null
        ? current with { StreamVersion = current.StreamVersion + 1 }
        : current with
        {
            StreamVersion = current.StreamVersion + 1,
            SentAt = e.SentAt,
            // The registration names the account finance is billed under.
            Account = e.Account,
            Phone = current.Phone ?? e.Phone,
            OutId = current.OutId ?? e.OutId,
            BilledParts = current.BilledParts ?? e.BilledParts,
        };
}

/// <summary>One item of the stream (request id and index in it) and its current interpretation.</summary>
public sealed record ItemInterpretation(Guid RequestId, int ItemIndex, DateTimeOffset ReceivedAt, Report? Report)
{
    public static ItemInterpretation Received(CallbackReceived e) => new(e.RequestId, e.ItemIndex, e.ReceivedAt, null);

    /// <summary>A ReportInterpreted reads the CallbackReceived just before it: the last item of its request still unread.</summary>
    public static IReadOnlyList<ItemInterpretation> Interpreted(IReadOnlyList<ItemInterpretation> items, ReportInterpreted e)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (items[i].RequestId == e.RequestId && items[i].Report is null)
            {
                return [.. items.Take(i), items[i] with { Report = e.Report }, .. items.Skip(i + 1)];
            }
        }

        return items; // an interpretation without its raw event (never written that way): nothing to track
    }
}
