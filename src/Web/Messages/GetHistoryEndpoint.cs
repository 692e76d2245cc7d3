using Ledger.Events;
using Ledger.Web.Security;
using Microsoft.Extensions.Options;
using Wolverine.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Web.Messages;

public static class GetHistoryEndpoint
{
    /// <summary>
    /// Served from the inline DeliveryHistory document: one primary-key read, no fold at read time and
    /// no raw items to deserialize, where reading the stream costs one row per event plus replaying the
    /// status rules on every request. The document's stored JSON is turned into the contract's in one
    /// pass (<see cref="HistoryJson"/>), without a session or an object graph (<see cref="StoredDocuments"/>).
    /// No cancellation token: the read takes well under a millisecond, less than watching for the
    /// client going away would cost (a token source per request, a registration per command).
    /// </summary>
    [WolverineGet("/messages/{provider}/{messageKey}/history")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string messageKey, StoredDocuments documents, IOptions<JsonOptions> json)
    {
        var history = await documents.ReadAsync(documents.Histories, StreamKeys.Message(provider.ToLowerInvariant(), messageKey), CancellationToken.None);
        return history is null
            ? Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'.")
            : new JsonFromDocument(history, HistoryJson.Write, json.Value.SerializerOptions);
    }
}
