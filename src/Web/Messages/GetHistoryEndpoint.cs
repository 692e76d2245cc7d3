using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Web.Security;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Messages;

/// <summary>One event of the stream as the contract shows it, plus `conflict`, `superseded`, `effect` and `gapSeconds`.</summary>
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
    string? PreviousStatus)
{
    public static HistoryEntryView From(HistoryEntry e) => new(
        e.Version, e.Type, e.ReceivedAt, e.ProviderTime?.Utc, e.ProviderTime?.Raw, e.Status?.ToString().ToLowerInvariant(), e.Final,
        e.ProviderStatus, e.ErrorCode, e.Description,
        e.Effect == ReportEffect.Duplicate, e.Effect == ReportEffect.Conflict, e.Effect == ReportEffect.Superseded,
        e.Effect?.ToString().ToLowerInvariant(), e.StatusAfter.ToString().ToLowerInvariant(),
        // Only verified requests reach a message stream (PRODUCT.md rule 5); refused ones stay in quarantine.
        "passed", e.ParserVersion, e.RequestId, e.ItemIndex, e.GapSeconds, e.ReplayId, e.PreviousStatus?.ToString().ToLowerInvariant());
}

public sealed record HistoryView(string Provider, string MessageKey, IReadOnlyList<HistoryEntryView> Events);

public static class GetHistoryEndpoint
{
    /// <summary>
    /// Served from the inline DeliveryHistory document: one primary-key read, no fold at read time and
    /// no raw items to deserialize, where reading the stream costs one row per event plus replaying the
    /// status rules on every request.
    /// </summary>
    [WolverineGet("/messages/{provider}/{messageKey}/history")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string messageKey, IQuerySession session, CancellationToken ct)
    {
        var history = await session.LoadAsync<DeliveryHistory>(StreamKeys.Message(provider.ToLowerInvariant(), messageKey), ct);
        return history is null
            ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
            : Results.Json(new HistoryView(history.Provider, history.MessageKey, [.. history.Entries.Select(HistoryEntryView.From)]));
    }
}
