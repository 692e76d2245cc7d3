using Ledger.Storage;
using Ledger.Events;
using Marten;

namespace Ledger.Projections;

/// <summary>How the read side gets one message's document.</summary>
public static class MessageReads
{
    /// <summary>
    /// The stored document; for a stream written by an earlier build whose documents were not rebuilt yet
    /// (`rebuild` turns a whole store into the current shape), the same fold over its stored events, so an
    /// upgrade never hides a message. Null when the stream has no events at all.
    /// </summary>
    public static async Task<Message?> LoadAsync(IQuerySession session, MessageProjection projection, string key, CancellationToken ct) =>
        await session.LoadAsync<Message>(key, ct).ConfigureAwait(false) ?? await FoldAsync(session, projection, key, ct).ConfigureAwait(false);

    /// <summary>The same, when the caller read the stored document itself (the read endpoints' fast reader).</summary>
    /// <param name="stored">The stored document (null: none).</param>
    public static async Task<Message?> OrFoldedAsync(Message? stored, IDocumentStore store, MessageProjection projection, string key, CancellationToken ct)
    {
        if (stored is not null)
        {
            return stored;
        }

        await using var session = store.QuerySession();
        return await FoldAsync(session, projection, key, ct).ConfigureAwait(false);
    }

    /// <summary>The stream's events (archived ones included) folded; null when it has none.</summary>
    private static async Task<Message?> FoldAsync(IQuerySession session, MessageProjection projection, string key, CancellationToken ct)
    {
        var events = await StreamEvents.ReadAsync(session, key, ct: ct).ConfigureAwait(false);
        return events.Count == 0 ? null : projection.Fold(key, events.Select(e => e.Data));
    }
}
