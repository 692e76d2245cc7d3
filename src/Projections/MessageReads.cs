using Ledger.Storage;
using Ledger.Events;
using Marten;

namespace Ledger.Projections;

/// <summary>How the read side gets one message's document.</summary>
public static class MessageReads
{
    /// <summary>
    /// The inline document; for a stream written by an earlier build whose documents were not rebuilt yet
    /// (`rebuild` turns a whole store into the current shape), the same fold over its stored events, so an
    /// upgrade never hides a message. Null when the stream has no events at all.
    /// </summary>
    public static async Task<Message?> LoadAsync(IQuerySession session, MessageProjection projection, string key, CancellationToken ct)
    {
        var stored = await session.LoadAsync<Message>(key, ct).ConfigureAwait(false);
        if (stored is not null)
        {
            return stored;
        }

        var events = await StreamEvents.ReadAsync(session, key, ct: ct).ConfigureAwait(false);
        return events.Count == 0 ? null : projection.Fold(key, events.Select(e => e.Data));
    }
}
