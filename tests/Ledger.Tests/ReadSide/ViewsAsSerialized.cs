using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Web.Messages;
using Ledger.Web.Security;
using Marten;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// What the read endpoints answered before they wrote straight from the stored JSON, kept as the
/// reference the streamed bytes are held to: the stored JSON deserialized by Marten, mapped to the view
/// records, serialized with the options `Results.Json` uses.
/// </summary>
public static class ViewsAsSerialized
{
    public static byte[] History(ReadOnlySpan<byte> stored, ISerializer marten, JsonSerializerOptions web)
    {
        var history = marten.FromJson<DeliveryHistory>(new MemoryStream(stored.ToArray()));
        return JsonSerializer.SerializeToUtf8Bytes(new HistoryView(history.Provider, history.MessageKey, [.. history.Entries.Select(HistoryEntryView.From)]), web);
    }

    public static byte[] Status(ReadOnlySpan<byte> stored, ISerializer marten, JsonSerializerOptions web, Caller caller) =>
        JsonSerializer.SerializeToUtf8Bytes(MessageStatusView.From(marten.FromJson<MessageStatus>(new MemoryStream(stored.ToArray())), caller), web);

    /// <summary>The streamed writer's bytes for the same stored JSON.</summary>
    public static byte[] Streamed(ReadOnlySpan<byte> stored, JsonFromDocument.Transform transform, JsonSerializerOptions web)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, JsonFromDocument.WriterOptions(web)))
        {
            transform(stored, writer);
        }

        return output.WrittenSpan.ToArray();
    }

    public static readonly Caller Support = new("helpdesk", Roles.Support);
    public static readonly Caller Admin = new("ops", Roles.Admin);
}

/// <summary>The history endpoint's view records, as they were before it streamed.</summary>
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
    PartView? Part)
{
    public static HistoryEntryView From(HistoryEntry e) => new(
        e.Version, e.Type, e.ReceivedAt, e.ProviderTime?.Utc, e.ProviderTime?.Raw, e.Status?.ToString().ToLowerInvariant(), e.Final,
        e.ProviderStatus, e.ErrorCode, e.Description,
        e.Effect == ReportEffect.Duplicate, e.Effect == ReportEffect.Conflict, e.Effect == ReportEffect.Superseded,
        e.Effect?.ToString().ToLowerInvariant(), e.StatusAfter.ToString().ToLowerInvariant(),
        "passed", e.ParserVersion, e.RequestId, e.ItemIndex, e.GapSeconds, e.ReplayId, e.PreviousStatus?.ToString().ToLowerInvariant(),
        e.Part is { } part ? new PartView(part.Sequence, part.Total) : null);
}

public sealed record PartView(int Sequence, int Total);

public sealed record HistoryView(string Provider, string MessageKey, IReadOnlyList<HistoryEntryView> Events);
