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
