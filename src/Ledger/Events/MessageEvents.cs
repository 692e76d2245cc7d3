namespace Ledger.Events;

// Events of a message stream `{provider}:{messageKey}`. Their stored type names are pinned in
// EventNames, so renaming a class never orphans stored events.

/// <summary>
/// One report: the item exactly as it stood in the request that carried it (immutable evidence) and the
/// parser's reading of it, stamped with the parser version. The one event a report appends to its message
/// stream; a replay's later reading is an <see cref="InterpretationCorrected"/> beside it, never a rewrite.
/// </summary>
/// <remarks>
/// The provider and message key are the stream's own (`{provider}:{messageKey}`, <see cref="StreamKeys.Message"/>),
/// so the event does not repeat them (events stored before did; they read the same).
/// </remarks>
/// <param name="Account">The provider account the request came in under (the message's owner when it is its first report).</param>
/// <param name="Source">`pull` when we asked the provider's query API; null for a push (the provider called us: most reports, so not stored; events of earlier builds say `push`).</param>
public sealed record ReportReceived(
    string Account,
    Guid RequestId,
    int ItemIndex,
    string RawItem,
    DateTimeOffset ReceivedAt,
    Report Report,
    string? Source = null);

public static class ReportSources
{
    public const string Push = "push";
    public const string Pull = "pull";
}

/// <summary>
/// Written by builds before one event per report: the raw item, followed by its <see cref="ReportInterpreted"/>.
/// Never appended any more; the fold still reads it, so streams written then stay valid.
/// </summary>
public sealed record CallbackReceived(
    string Provider,
    string Account,
    string MessageKey,
    Guid RequestId,
    int ItemIndex,
    string RawItem,
    DateTimeOffset ReceivedAt);

/// <summary>Written by earlier builds: what the parser read from the CallbackReceived just before it (see <see cref="ReportReceived"/>).</summary>
public sealed record ReportInterpreted(Guid RequestId, DateTimeOffset ReceivedAt, Report Report);

/// <summary>
/// Finance registered the message as sent (`POST /messages/sent`), so a report that never comes becomes
/// visible. Appended at most once per stream: a report that arrived first stays valid, and registering
/// the same message again appends nothing (and would change nothing: projections keep the first one).
/// </summary>
public sealed record MessageSubmitted(
    string Provider,
    string Account,
    string MessageKey,
    string? Phone,
    DateTimeOffset SentAt,
    int? BilledParts,
    string? OutId,
    Guid RequestId,
    DateTimeOffset RegisteredAt);

/// <summary>
/// We asked the provider's query API about this message and its answer held no final report for it
/// (docs/rules.md rule 9). Evidence that the pull ran, kept beside the raw answer (<paramref name="RequestId"/>):
/// after `Ledger:Pull:GiveUpAfter` of these a registered message still missing its report is a resend
/// candidate (rule 10). Changes no status.
/// </summary>
public sealed record PullFoundNoReport(
    string Provider,
    string Account,
    string MessageKey,
    Guid RequestId,
    DateTimeOffset PulledAt,
    string Detail);

/// <summary>
/// A request that failed verification or parsing. It lives in its own stream `quarantine:{requestId}`,
/// never in a message stream: the message id it claims cannot be trusted. One item of a batch refused on its
/// own (its neighbours accepted) has <paramref name="ItemIndex"/> set and a stream `quarantine:{requestId}:{index}`.
/// </summary>
/// <param name="ItemIndex">The refused item's position in the request; null when the whole request was refused.</param>
/// <param name="MessageKey">The message the refused item names, when it names one (not trusted: never a stream key).</param>
/// <param name="RawItem">The refused item's text as it stood in the request (the request itself is kept whole).</param>
public sealed record RequestQuarantined(
    Guid RequestId,
    string Provider,
    string? Account,
    string Reason,
    string Detail,
    DateTimeOffset ReceivedAt,
    int? ItemIndex = null,
    string? MessageKey = null,
    string? RawItem = null);

public static class EventNames
{
    public static readonly IReadOnlyDictionary<Type, string> Pinned = new Dictionary<Type, string>
    {
        [typeof(ReportReceived)] = "report_received",
        [typeof(CallbackReceived)] = "callback_received",
        [typeof(ReportInterpreted)] = "report_interpreted",
        [typeof(RequestQuarantined)] = "request_quarantined",
        [typeof(InterpretationCorrected)] = "interpretation_corrected",
        [typeof(CallbackRescued)] = "callback_rescued",
        [typeof(RequestRescued)] = "request_rescued",
        [typeof(MessageSubmitted)] = "message_submitted",
        [typeof(PullFoundNoReport)] = "pull_found_no_report",
        [typeof(ReplyReceived)] = "reply_received",
        [typeof(ReplyCorrected)] = "reply_corrected",
        [typeof(ReplyRescued)] = "reply_rescued",
    };
}

public static class StreamKeys
{
    public static string Message(string provider, string messageKey) => $"{provider}:{messageKey}";

    /// <summary>The provider and message key of a message stream's key (provider names hold no colon; message keys may).</summary>
    public static (string Provider, string MessageKey) OfMessage(string streamKey)
    {
        var colon = streamKey.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (streamKey, "") : (streamKey[..colon], streamKey[(colon + 1)..]);
    }

    public static string Quarantine(Guid requestId) => $"quarantine:{requestId:N}";

    public static bool IsQuarantine(string streamKey) => streamKey.StartsWith("quarantine:", StringComparison.Ordinal);

    /// <summary>One item of a batch refused on its own while the rest was accepted.</summary>
    public static string Quarantine(Guid requestId, int itemIndex) => $"quarantine:{requestId:N}:{itemIndex}";

    /// <summary>A reply from a phone (上行 / MO): a stream of its own per provider reply id.</summary>
    public static string Reply(string provider, string replyId) => $"{provider}:reply:{replyId}";
}
