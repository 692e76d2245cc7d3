using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Security;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Web.Messages;

/// <summary>The contract's view of a message's current status (phone masked except for admin).</summary>
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
    string? ParserVersion)
{
    public static MessageStatusView From(MessageStatus s, Caller? caller) => new(
        s.Provider, s.MessageKey, s.Account, s.Status.ToString().ToLowerInvariant(), s.Final, s.ProviderStatus, s.ErrorCode, s.Description,
        caller?.IsAdmin == true ? s.Phone : PhoneMask.Mask(s.Phone), s.ReportedAt, s.FirstReceivedAt, s.LastReceivedAt, s.CallbackCount,
        s.DuplicateCount, s.ConflictCount, s.BilledParts, s.OutId, s.StreamVersion, s.ParserVersion);
}

public static class GetMessageEndpoint
{
    /// <summary>
    /// The inline document, its stored JSON turned into the contract's in one pass
    /// (<see cref="MessageStatusJson"/>); with `?version=n` or `?asOf=instant`, the same projection
    /// folded over the stream's events up to that point, archived ones included (what the inline document held then). The store
    /// is taken rather than a session so the plain read, by far the most frequent, opens none, and it
    /// watches no cancellation token (see <see cref="GetHistoryEndpoint"/>); the aggregation does.
    /// </summary>
    [WolverineGet("/messages/{provider}/{messageKey}")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string messageKey, HttpContext context, StoredDocuments documents, IDocumentStore store,
        IOptions<JsonOptions> json)
    {
        if (!Query.TryInteger(context, "version", 1, long.MaxValue, out var version, out var error)
            || !Query.TryInstant(context, "asOf", out var asOf, out error))
        {
            return Problems.BadQuery(error!);
        }

        var key = StreamKeys.Message(provider.ToLowerInvariant(), messageKey);
        if (version is null && asOf is null)
        {
            var stored = await documents.ReadAsync(documents.Statuses, key, CancellationToken.None);
            return stored is null
                ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
                : new JsonFromDocument(stored, context.Caller()?.IsAdmin == true ? WithPhone : WithMaskedPhone, json.Value.SerializerOptions);
        }

        // Folded with the inline projection's own code over the stream's events, archived ones included
        // (retention archives old final messages; Marten's AggregateStream would not see their events).
        await using var session = store.QuerySession();
        MessageStatus? status = null;
        foreach (var e in await StreamEvents.ReadAsync(session, key, version, asOf, context.RequestAborted))
        {
            status = InlineDocuments.Status(status, key, e.Data);
        }

        if (status is null)
        {
            return Problems.NotFound($"No callback had been recorded for {provider} message '{messageKey}' at that point.");
        }

        if (version is { } v && status.StreamVersion < v)
        {
            return Problems.NotFound($"{provider} message '{messageKey}' has only {status.StreamVersion} events; version {v} does not exist yet.");
        }

        return Results.Json(MessageStatusView.From(status, context.Caller()));
    }

    private static readonly JsonFromDocument.Transform WithPhone = (document, writer) => MessageStatusJson.Write(document, writer, showPhone: true);
    private static readonly JsonFromDocument.Transform WithMaskedPhone = (document, writer) => MessageStatusJson.Write(document, writer, showPhone: false);
}
