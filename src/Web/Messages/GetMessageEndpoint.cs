using Ledger.Storage;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Security;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Messages;

public static class GetMessageEndpoint
{
    /// <summary>
    /// The message's inline document, as the contract's view; with `?version=n` or `?asOf=instant`, the
    /// same projection folded over the stream's events up to that point, archived ones included (what the
    /// inline document held then). The plain read goes through <see cref="MessageDocuments"/> (no session); a
    /// session of the store only for a fold (Wolverine would build an outboxed session for an injected one).
    /// </summary>
    [WolverineGet("/messages/{provider}/{messageKey}")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string messageKey, HttpContext context, IDocumentStore store, MessageDocuments documents,
        MessageProjection projection)
    {
        if (!Query.TryInteger(context, "version", 1, long.MaxValue, out var version, out var error)
            || !Query.TryInstant(context, "asOf", out var asOf, out error))
        {
            return Problems.BadQuery(error!);
        }

        provider = provider.ToLowerInvariant();
        messageKey = RouteKeys.MessageKey(context, messageKey);
        var (readable, unreadable) = await MaskedKeys.ReadableAsync(store, provider, messageKey, context.RequestAborted);
        if (readable is null)
        {
            return unreadable!;
        }

        messageKey = readable;

        var key = StreamKeys.Message(provider, messageKey);
        if (version is null && asOf is null)
        {
            var current = await MessageReads.OrFoldedAsync(await documents.LoadAsync(key, CancellationToken.None), store, projection, key, CancellationToken.None);
            return current is null
                ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
                : JsonBody.Of(MessageStatusView.From(current, context.Caller()), context);
        }

        // Folded with the inline projection's own code over the stream's events, archived ones included
        // (retention archives old final messages; Marten's AggregateStream would not see their events).
        await using var session = store.QuerySession();
        var events = await StreamEvents.ReadAsync(session, key, version, asOf, context.RequestAborted);
        var status = projection.Fold(key, events.Select(e => e.Data));
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
}
