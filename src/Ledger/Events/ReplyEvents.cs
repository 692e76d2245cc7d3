namespace Ledger.Events;

/// <summary>
/// A message a phone sent back (上行 / MO), exactly as the provider pushed it and as the parser read it.
/// It lives in a stream of its own, `{provider}:reply:{replyId}` (docs/rules.md rule 11), never in a
/// message stream: a reply never changes a message's delivery status. The same reply pushed again is
/// appended again (evidence), and the reply's document counts it as a duplicate.
/// </summary>
/// <param name="ReplyId">The provider's id of the reply, or one derived from its fields where the provider gives none.</param>
/// <param name="Phone">The number that replied, as the provider wrote it.</param>
/// <param name="To">The number or extension code the phone replied to (a channel number, a virtual number, `dest_code`), when given.</param>
/// <param name="InReplyTo">The message key of the message answered, only where the provider names it.</param>
/// <param name="Unsubscribe">The content is one of the unsubscribe keywords (`Ledger:Replies:UnsubscribeKeywords`).</param>
public sealed record ReplyReceived(
    string Provider,
    string Account,
    string ReplyId,
    string? Phone,
    string Content,
    ProviderTime? ProviderTime,
    string? InReplyTo,
    string? To,
    bool Unsubscribe,
    string RawItem,
    Guid RequestId,
    int ItemIndex,
    DateTimeOffset ReceivedAt,
    string ParserVersion);

/// <summary>
/// What a reader made of one reply item: everything of <see cref="ReplyReceived"/> a parser decides (the raw
/// item, the request and the receive time are evidence, not reading). Two readings that differ only in
/// <see cref="ParserVersion"/> are the same reading.
/// </summary>
public sealed record ReplyReading(
    string? Phone,
    string Content,
    ProviderTime? ProviderTime,
    string? InReplyTo,
    string? To,
    bool Unsubscribe,
    string ParserVersion)
{
    public static ReplyReading Of(ReplyReceived e) => new(e.Phone, e.Content, e.ProviderTime, e.InReplyTo, e.To, e.Unsubscribe, e.ParserVersion);

    public bool SameAs(ReplyReading other) => this with { ParserVersion = "" } == other with { ParserVersion = "" };
}

/// <summary>
/// In a reply stream (docs/rules.md rule 7, as <see cref="InterpretationCorrected"/> is in a message stream):
/// today's reader reads reply <paramref name="ItemIndex"/> of request <paramref name="RequestId"/> differently
/// from the latest reading on record (the ReplyReceived appended at ingest, or an earlier correction).
/// <paramref name="Corrected"/> now replaces <paramref name="Previous"/> for that item; the event before it is
/// never rewritten.
/// </summary>
public sealed record ReplyCorrected(
    Guid ReplayId,
    Guid RequestId,
    int ItemIndex,
    ReplyReading Previous,
    ReplyReading Corrected,
    string StartedBy,
    DateTimeOffset CorrectedAt);

/// <summary>
/// In a reply stream, just before the ReplyReceived of a reply whose request was quarantined at receipt and
/// that today's reader reads and verifies (as <see cref="CallbackRescued"/> is in a message stream). That
/// ReplyReceived carries the original request id and receive time: the evidence stays the request as received.
/// </summary>
public sealed record ReplyRescued(
    Guid ReplayId,
    Guid OriginalRequestId,
    string Provider,
    string Account,
    string ReplyId,
    DateTimeOffset ReceivedAt,
    string OriginalReason,
    string StartedBy,
    DateTimeOffset RescuedAt);
