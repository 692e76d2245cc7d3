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
    };

    public MessageStatus Apply(CallbackReceived e, MessageStatus current) => current with
    {
        CallbackCount = current.CallbackCount + 1,
        FirstReceivedAt = e.ReceivedAt < current.FirstReceivedAt ? e.ReceivedAt : current.FirstReceivedAt,
        LastReceivedAt = e.ReceivedAt > current.LastReceivedAt ? e.ReceivedAt : current.LastReceivedAt,
        StreamVersion = current.StreamVersion + 1,
    };

    public MessageStatus Apply(ReportInterpreted e, MessageStatus current) => Evolve(current, e);

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
}
