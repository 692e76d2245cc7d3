namespace Ledger.Events;

// Events a replay appends (docs/rules.md rule 7: interpretations are versioned and corrections are
// events). Nothing a replay does rewrites an earlier event: the history shows what we believed, when,
// and why it changed. Type names are pinned in EventNames.

/// <summary>
/// In a message stream: today's parser reads item <paramref name="ItemIndex"/> of request
/// <paramref name="RequestId"/> differently from the latest interpretation on record (the
/// ReportReceived appended at ingest, or an earlier correction). <paramref name="Corrected"/> now
/// replaces <paramref name="Previous"/> for that item.
/// </summary>
public sealed record InterpretationCorrected(
    Guid ReplayId,
    Guid RequestId,
    int ItemIndex,
    Report Previous,
    Report Corrected,
    string StartedBy,
    DateTimeOffset CorrectedAt);

/// <summary>
/// In a message stream, just before the ReportReceived of an item that was quarantined at receipt and
/// that today's parser reads and verifies. That event carries the original request id, so the raw
/// evidence stays the request as it was received.
/// </summary>
public sealed record CallbackRescued(
    Guid ReplayId,
    Guid OriginalRequestId,
    string Provider,
    string Account,
    string MessageKey,
    DateTimeOffset ReceivedAt,
    string OriginalReason,
    string StartedBy,
    DateTimeOffset RescuedAt);

/// <summary>
/// In the quarantine stream `quarantine:{requestId}`: the request was rescued into the listed message
/// streams, and the reply streams of <paramref name="ReplyIds"/> (null in markers written before replies
/// were rescued). A request with this marker is never rescued again.
/// </summary>
public sealed record RequestRescued(
    Guid ReplayId,
    Guid RequestId,
    IReadOnlyList<string> MessageKeys,
    DateTimeOffset RescuedAt,
    IReadOnlyList<string>? ReplyIds = null);
