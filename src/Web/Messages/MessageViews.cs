using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Web.Security;

namespace Ledger.Web.Messages;

/// <summary>The contract's view of a message's current status (phone masked except for admin, also inside an Alibaba key).</summary>
public sealed record MessageStatusView(
    string Provider,
    string MessageKey,
    string Account,
    string Status,
    bool Final,
    string? ProviderStatus,
    string? ErrorCode,
    string? Description,
    string? Phone,
    DateTimeOffset? ReportedAt,
    DateTimeOffset FirstReceivedAt,
    DateTimeOffset LastReceivedAt,
    int CallbackCount,
    int DuplicateCount,
    int ConflictCount,
    int? BilledParts,
    string? OutId,
    long Version,
    string? ParserVersion,
    FailureCategory? Category,
    bool? Retryable)
{
    public static MessageStatusView From(Message m, Caller? caller) => new(
        m.Provider, Shown(m, caller), m.Account, Lower(m.Status), m.Final, m.ProviderStatus, m.ErrorCode, m.Description,
        caller?.IsAdmin == true ? m.Phone : PhoneMask.Mask(m.Phone), m.ReportedAt, m.FirstReceivedAt, m.LastReceivedAt, m.CallbackCount,
        m.DuplicateCount, m.ConflictCount, m.BilledParts, m.OutId, m.StreamVersion, m.ParserVersion, m.Category, m.Retryable);

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>The key as the caller may see it: whole for admin, else with a phone inside it masked (still its address: <see cref="MaskedKeys"/>).</summary>
    public static string Shown(Message m, Caller? caller) => caller?.IsAdmin == true ? m.MessageKey : PhoneMask.Key(m.Provider, m.MessageKey);
}

/// <summary>The contract's history of a message: every event of its stream, in order.</summary>
public sealed record HistoryView(string Provider, string MessageKey, IReadOnlyList<HistoryEntryView> Events)
{
    public static HistoryView From(Message m, Caller? caller) => new(m.Provider, MessageStatusView.Shown(m, caller), [.. m.Entries.Select(HistoryEntryView.From)]);
}

/// <summary>One event of the history, with what it did to the status.</summary>
public sealed record HistoryEntryView(
    long Version,
    string Type,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProviderTime,
    string? ProviderTimeRaw,
    string? Status,
    bool? Final,
    string? ProviderStatus,
    string? ErrorCode,
    string? Description,
    bool Duplicate,
    bool Conflict,
    bool Superseded,
    string? Effect,
    string StatusAfter,
    string Verification,
    string? ParserVersion,
    Guid RequestId,
    int? ItemIndex,
    double? GapSeconds,
    Guid? ReplayId,
    string? PreviousStatus,
    PartView? Part,
    string? Source,
    FailureCategory? Category,
    bool? Retryable)
{
    public static HistoryEntryView From(HistoryEntry e) => new(
        e.Version, e.Type, e.ReceivedAt, e.ProviderTime?.Utc, e.ProviderTime?.Raw, e.Status?.ToString().ToLowerInvariant(), e.Final,
        e.ProviderStatus, e.ErrorCode, e.Description,
        e.Effect == ReportEffect.Duplicate, e.Effect == ReportEffect.Conflict, e.Effect == ReportEffect.Superseded,
        e.Effect?.ToString().ToLowerInvariant(), e.StatusAfter.ToString().ToLowerInvariant(),
        "passed", e.ParserVersion, e.RequestId, e.ItemIndex, e.GapSeconds, e.ReplayId, e.PreviousStatus?.ToString().ToLowerInvariant(),
        e.Part is { } part ? new PartView(part.Sequence, part.Total) : null,
        e.Type == EntryTypes.Report ? e.Source ?? Ledger.Events.ReportSources.Push : null,
        e.Category, e.Retryable);
}

public sealed record PartView(int Sequence, int Total);

/// <summary>
/// Source-generated System.Text.Json metadata for the read views (no reflection at run time). Chained into
/// the API's own JSON options at start-up, so the views are written by the one serializer and with the
/// options (camelCase, encoder) every other answer uses.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MessageStatusView))]
[JsonSerializable(typeof(HistoryView))]
public sealed partial class MessageJson : JsonSerializerContext;
