using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Security;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Messages;

public static class GetHistoryEndpoint
{
    /// <summary>
    /// Served from the message's inline document, whose entries are the stream's events with what each did:
    /// one primary-key read, no fold at read time and no raw items to deserialize. A plain query
    /// session of the store, as the status read takes (see <see cref="GetMessageEndpoint"/>).
    /// </summary>
    [WolverineGet("/messages/{provider}/{messageKey}/history")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string messageKey, IDocumentStore store, MessageProjection projection, HttpContext context)
    {
        await using var session = store.QuerySession();
        var message = await MessageReads.LoadAsync(session, projection, StreamKeys.Message(provider.ToLowerInvariant(), messageKey), context.RequestAborted);
        return message is null
            ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
            : Results.Json(HistoryView.From(message));
    }
}
