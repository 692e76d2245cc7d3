using JasperFx.Events;
using Marten;
using Marten.Events.Archiving;

namespace Ledger.Storage;

/// <summary>
/// A message stream's events as stored, archived ones included. Marten's own stream reads
/// (FetchStream, AggregateStream, raw event queries) leave archived events out, and retention archives
/// old final messages: what support, finance and replays ask of such a message must still see them.
/// </summary>
public static class StreamEvents
{
    /// <summary>The stream's events in order, up to <paramref name="version"/> and/or <paramref name="asOf"/> (inclusive) when given.</summary>
    public static async Task<IReadOnlyList<IEvent>> ReadAsync(IQuerySession session, string streamKey, long? version = null, DateTimeOffset? asOf = null,
        CancellationToken ct = default)
    {
        var query = session.Events.QueryAllRawEvents().Where(e => e.StreamKey == streamKey && e.MaybeArchived());
        if (version is { } v)
        {
            query = query.Where(e => e.Version <= v);
        }

        if (asOf is { } instant)
        {
            query = query.Where(e => e.Timestamp <= instant);
        }

        return await query.OrderBy(e => e.Version).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Many streams' events at once (one query per 1,000 streams, archived events included), each stream's in
    /// order, up to <paramref name="asOf"/> when given; a stream with no events is absent.
    /// </summary>
    public static async Task<Dictionary<string, IReadOnlyList<IEvent>>> ReadManyAsync(IQuerySession session, IEnumerable<string> streamKeys,
        DateTimeOffset? asOf = null, CancellationToken ct = default)
    {
        var streams = new Dictionary<string, IReadOnlyList<IEvent>>(StringComparer.Ordinal);
        foreach (var chunk in streamKeys.Distinct().Chunk(1000))
        {
            var query = session.Events.QueryAllRawEvents().Where(e => e.StreamKey!.IsOneOf(chunk) && e.MaybeArchived());
            if (asOf is { } instant)
            {
                query = query.Where(e => e.Timestamp <= instant);
            }

            foreach (var stream in (await query.ToListAsync(ct).ConfigureAwait(false)).GroupBy(e => e.StreamKey!))
            {
                streams[stream.Key] = [.. stream.OrderBy(e => e.Version)];
            }
        }

        return streams;
    }
}
