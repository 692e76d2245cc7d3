using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.Projections;

/// <summary>
/// Marten's stream archiving, written beside the group commit's writer (<see cref="InlineAppender"/>, which
/// restores through it): a stream is archived by setting `is_archived` on its stream row and on every one of
/// its events, and restored by clearing them, as Marten's own `ArchiveStream` does (its reads then leave the
/// stream out, or see it again). Set-based over many streams, under the streams' locks
/// (<see cref="StreamLocks"/>), tables named from Marten's own mapping
/// (<see cref="InlineAppender.EventTables"/>). Retention archives through it, `rebuild` restores and
/// archives again through it, and the writer restores a stream a new event must be appended to.
/// </summary>
public sealed class ArchiveWriter
{
    private readonly IDocumentStore _store;
    private readonly string _archive;
    private readonly string _restore;
    private readonly string _archived;

    public ArchiveWriter(IDocumentStore store)
    {
        _store = store;
        var streams = InlineAppender.EventTable(store, "mt_streams");
        var events = InlineAppender.EventTable(store, "mt_events");
        _archive = Flag(streams, events, true);
        _restore = Flag(streams, events, false);
        _archived = $"select id from {streams} where {WrittenColumns.Archived}";
    }

    /// <summary>
    /// Archives the streams in the caller's open transaction, after taking their locks (a report being
    /// appended to one of them right now is committed first).
    /// </summary>
    /// <returns>The stream rows archived now (streams already archived, or absent, are not counted).</returns>
    public async Task<int> ArchiveAsync(NpgsqlConnection connection, IReadOnlyCollection<string> streamKeys, CancellationToken ct = default)
    {
        if (streamKeys.Count == 0)
        {
            return 0;
        }

        await using var batch = new NpgsqlBatch(connection);
        var keys = streamKeys.ToArray();
        Add(batch, StreamLocks.LockSql, keys);
        Add(batch, _archive, keys);
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false); // past the locks
        var archived = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            archived++;
        }

        return archived;
    }

    /// <summary>
    /// Every archived stream brought back to live, under their locks (before a rebuild, whose daemon reads live
    /// events only). A transaction per <see cref="StreamLocks.MaxLocks"/> streams, so the locks never overflow
    /// PostgreSQL's lock table; a stream restored by a run that then fails is only live until retention
    /// archives it again.
    /// </summary>
    /// <returns>The streams restored: archive them again afterwards (<see cref="ArchiveAgainAsync"/>).</returns>
    public async Task<IReadOnlyList<string>> RestoreAllAsync(CancellationToken ct = default)
    {
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct).ConfigureAwait(false);
        var keys = new List<string>();
        await using (var archived = new NpgsqlCommand(_archived, connection))
        await using (var reader = await archived.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                keys.Add(reader.GetString(0));
            }
        }

        await FlagAsync(connection, keys, _restore, ct).ConfigureAwait(false);
        return keys;
    }

    /// <summary>Archives again the streams <see cref="RestoreAllAsync"/> brought back, under their locks, in transactions as it did.</summary>
    public async Task ArchiveAgainAsync(IReadOnlyList<string> streamKeys, CancellationToken ct = default)
    {
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await FlagAsync(connection, streamKeys, _archive, ct).ConfigureAwait(false);
    }

    private static async Task FlagAsync(NpgsqlConnection connection, IReadOnlyList<string> streamKeys, string flag, CancellationToken ct)
    {
        foreach (var chunk in streamKeys.Chunk(StreamLocks.MaxLocks))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var batch = new NpgsqlBatch(connection))
            {
                Add(batch, StreamLocks.LockSql, chunk);
                Add(batch, flag, chunk);
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The writer's restore: the statement that brings the archived streams among $1 (text[]) back to live,
    /// added to a batch of a transaction that already holds their locks.
    /// </summary>
    internal void AddRestore(NpgsqlBatch batch, string[] streamKeys) => Add(batch, _restore, streamKeys);

    /// <summary>
    /// Sets the archive flag of the streams among $1 and of their events; returns one row per stream row
    /// changed. Rows already flagged are left alone (no write, no dead tuple).
    /// </summary>
    private static string Flag(string streams, string events, bool archived)
    {
        var column = WrittenColumns.Archived;
        var from = archived ? $"not {column}" : column;
        return $"with s as (update {streams} set {column} = {archived} where id = any($1) and {from} returning id), " +
            $"e as (update {events} set {column} = {archived} where stream_id = any($1) and {from}) " +
            "select id from s";
    }

    private static void Add(NpgsqlBatch batch, string sql, string[] keys)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = keys });
        batch.BatchCommands.Add(command);
    }
}
