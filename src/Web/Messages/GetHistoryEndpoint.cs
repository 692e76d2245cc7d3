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
    /// one primary-key read, no fold at read time and no raw items to deserialize. Read through
    /// <see cref="MessageDocuments"/>, as the status is (see <see cref="GetMessageEndpoint"/>).
    /// </summary>
    [WolverineGet("/messages/{provider}/{messageKey}/history")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string messageKey, HttpContext context, IDocumentStore store, MessageDocuments documents,
        MessageProjection projection)
    {
        provider = provider.ToLowerInvariant();
        messageKey = RouteKeys.MessageKey(context, messageKey);
        var (readable, unreadable) = await MaskedKeys.ReadableAsync(store, provider, messageKey, context.RequestAborted);
        if (readable is null)
        {
            return unreadable!;
        }

        var key = StreamKeys.Message(provider, readable);
        var message = await MessageReads.OrFoldedAsync(await documents.LoadAsync(key, CancellationToken.None), store, projection, key, CancellationToken.None);
        return message is null
            ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
            : JsonBody.Of(HistoryView.From(message, context.Caller()), context);
    }
}
