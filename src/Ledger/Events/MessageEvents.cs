namespace Ledger.Events;

// Events of a message stream `{provider}:{messageKey}`. Their stored type names are pinned in
// EventNames, so renaming a class never orphans stored events.

/// <summary>One raw item of a callback, exactly as it stood in the request that carried it. Immutable evidence.</summary>
public sealed record CallbackReceived(
    string Provider,
    string Account,
    string MessageKey,
    Guid RequestId,
    int ItemIndex,
    string RawItem,
    DateTimeOffset ReceivedAt);

/// <summary>What the parser (of the version it names) read from the CallbackReceived just before it.</summary>
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
/// A request that failed verification or parsing. It lives in its own stream `quarantine:{requestId}`,
/// never in a message stream: the message id it claims cannot be trusted.
/// </summary>
public sealed record RequestQuarantined(
    Guid RequestId,
    string Provider,
    string? Account,
    string Reason,
    string Detail,
    DateTimeOffset ReceivedAt);

public static class EventNames
{
    public static readonly IReadOnlyDictionary<Type, string> Pinned = new Dictionary<Type, string>
    {
        [typeof(CallbackReceived)] = "callback_received",
        [typeof(ReportInterpreted)] = "report_interpreted",
        [typeof(RequestQuarantined)] = "request_quarantined",
        [typeof(InterpretationCorrected)] = "interpretation_corrected",
        [typeof(CallbackRescued)] = "callback_rescued",
        [typeof(RequestRescued)] = "request_rescued",
        [typeof(MessageSubmitted)] = "message_submitted",
    };

    /// <summary>The .NET type name Marten stores beside each pinned event (`mt_dotnet_type`): "Namespace.Type, Assembly".</summary>
    public static readonly IReadOnlyDictionary<Type, string> DotnetTypeNames =
        Pinned.Keys.ToDictionary(type => type, type => $"{type.FullName}, {type.Assembly.GetName().Name}");
}

public static class StreamKeys
{
    public static string Message(string provider, string messageKey) => $"{provider}:{messageKey}";

    public static string Quarantine(Guid requestId) => $"quarantine:{requestId:N}";
}
