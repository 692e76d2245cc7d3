using Ledger.Events;
using Ledger.Projections;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Messages;

/// <summary>The contract's view of a message's current status (phone masked).</summary>
public sealed record MessageStatusView(
    string Provider,
    string MessageKey,
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
    string? ParserVersion)
{
    public static MessageStatusView From(MessageStatus s) => new(
        s.Provider, s.MessageKey, s.Status.ToString().ToLowerInvariant(), s.Final, s.ProviderStatus, s.ErrorCode, s.Description,
        PhoneMask.Mask(s.Phone), s.ReportedAt, s.FirstReceivedAt, s.LastReceivedAt, s.CallbackCount, s.DuplicateCount,
        s.ConflictCount, s.BilledParts, s.OutId, s.StreamVersion, s.ParserVersion);
}

public static class GetMessageEndpoint
{
    [WolverineGet("/messages/{provider}/{messageKey}")]
    public static async Task<IResult> Get(string provider, string messageKey, IQuerySession session, CancellationToken ct)
    {
        var status = await session.LoadAsync<MessageStatus>(StreamKeys.Message(provider.ToLowerInvariant(), messageKey), ct);
        return status is null
            ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
            : Results.Json(MessageStatusView.From(status));
    }
}
