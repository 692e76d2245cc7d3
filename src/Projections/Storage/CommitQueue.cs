using Ledger.Ingest;
using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Storage;

/// <summary>The store could not take the write (down, read-only, full): answer 503 so the provider retries.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Group commit: concurrent requests' writes share one session, one transaction and one fsync; each
/// request is released only after the commit that holds it (docs/rules.md rule 2).
/// <para>
/// Several commits run at once (<c>lanes</c>), because one transaction keeps only one PostgreSQL backend
/// busy and the machine has more cores than that. A stream is never in two commits at the same time:
/// the dispatcher holds back a request whose streams are in flight until that commit ends. That keeps
/// appends and inline projections to one stream strictly serial inside this instance, so parallel first
/// pushes for one message never race on the streams table and a projection never reads a stale document.
/// </para>
/// <para>
/// If a shared commit fails for a reason that is not the storage itself, each write is retried on its
/// own so one bad request never fails its neighbours; a unique-key conflict (another instance appended
/// to the same stream at the same moment) retries the whole commit.
/// </para>
/// </summary>
public sealed class CommitQueue : IAsyncDisposable
{
    private const int ConflictRetries = 5;

    private readonly IDocumentStore _store;
    private readonly IStreamAppender _appender;
    private readonly ILogger<CommitQueue> _logger;
    private readonly CommitQueueOptions _options;
    private readonly LedgerMetrics? _metrics;
    private readonly ICommitParticipant? _participant;
    private readonly ConcurrentQueue<Pending> _incoming = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly object _gate = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly List<Pending> _waiting = [];
    private readonly Task _dispatcher;
    private int _running;
    private volatile bool _stopping;

    public CommitQueue(IDocumentStore store, IStreamAppender appender, ILogger<CommitQueue> logger, CommitQueueOptions? options = null,
        LedgerMetrics? metrics = null, ICommitParticipant? participant = null)
    {
        _store = store;
        _appender = appender;
        _logger = logger;
        _options = options ?? new CommitQueueOptions();
        _metrics = metrics;
        _participant = participant;
        _dispatcher = Task.Run(DispatchAsync);
    }

    /// <returns>The write as it committed: as given, or with items (or the whole request) refused inside the commit (<see cref="Admission"/>).</returns>
    public Task<IngestWrite> CommitAsync(IngestWrite write)
    {
        if (_stopping)
        {
            throw new StorageUnavailableException("The ledger is shutting down.", new ObjectDisposedException(nameof(CommitQueue)));
        }

        var pending = new Pending(write, new TaskCompletionSource<IngestWrite>(TaskCreationOptions.RunContinuationsAsynchronously));
        _incoming.Enqueue(pending);
        _wake.Release();
        return pending.Done.Task;
    }

    private async Task DispatchAsync()
    {
        while (true)
        {
            while (_incoming.TryDequeue(out var next))
            {
                _waiting.Add(next);
            }

            lock (_gate)
            {
                while (_running < _options.Lanes && _waiting.Count > 0)
                {
                    var batch = TakeBatch();
                    if (batch is null)
                    {
                        break; // everything waiting touches a stream in flight: wait for a lane to finish
                    }

                    _running++;
                    _ = Task.Run(() => RunLaneAsync(batch));
                }

                if (_stopping && _running == 0 && _waiting.Count == 0 && _incoming.IsEmpty)
                {
                    return;
                }
            }

            await _wake.WaitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Called under the gate: the next batch of waiting requests whose streams are not in flight.</summary>
    private Batch? TakeBatch()
    {
        var requests = new List<Pending>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var appends = 0;
        for (var i = 0; i < _waiting.Count && requests.Count < _options.MaxRequestsPerCommit && appends < _options.MaxStreamsPerCommit; i++)
        {
            var candidate = _waiting[i];
            if (requests.Count > 0 && appends + candidate.Write.Appends.Count > _options.MaxStreamsPerCommit)
            {
                continue; // would carry the commit past its bound (and its locks past StreamLocks.MaxLocks): the next commit takes it
            }

            var blocked = false;
            foreach (var append in candidate.Write.Appends)
            {
                if (_inFlight.Contains(append.StreamKey))
                {
                    blocked = true;
                    break;
                }
            }

            if (blocked)
            {
                continue;
            }

            requests.Add(candidate);
            foreach (var append in candidate.Write.Appends)
            {
                keys.Add(append.StreamKey);
            }

            appends += candidate.Write.Appends.Count;
            _waiting.RemoveAt(i--);
        }

        if (requests.Count == 0)
        {
            return null;
        }

        _inFlight.UnionWith(keys);
        return new Batch(requests, keys);
    }

    private async Task RunLaneAsync(Batch batch)
    {
        try
        {
            await CommitBatchAsync(batch.Requests).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.ExceptWith(batch.Keys);
                _running--;
            }

            _wake.Release();
        }
    }

    private async Task CommitBatchAsync(List<Pending> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var (failure, written) = await TryCommitAsync(batch).ConfigureAwait(false);
        _metrics?.Committed(batch.Count, Stopwatch.GetElapsedTime(started), failure is null);
        if (failure is null)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(written![i]);
            }

            return;
        }

        if (failure is StorageUnavailableException || batch.Count == 1)
        {
            foreach (var p in batch)
            {
                p.Done.TrySetException(failure);
            }

            return;
        }

        _logger.LogWarning(failure, "A shared commit of {Count} requests failed; committing each on its own", batch.Count);
        foreach (var p in batch)
        {
            var (single, alone) = await TryCommitAsync([p]).ConfigureAwait(false);
            if (single is null)
            {
                p.Done.TrySetResult(alone![0]);
            }
            else
            {
                p.Done.TrySetException(single);
            }
        }
    }

    /// <summary>A failed commit leaves its transaction open (aborted): end it before the connection goes back to the pool.</summary>
    private static async Task RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("rollback", connection);
            await rollback.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is broken: the server ends the transaction with the session.
        }
    }

    /// <returns>The writes as committed, or the failure (already classified).</returns>
    private async Task<(Exception? Failure, IReadOnlyList<IngestWrite>? Written)> TryCommitAsync(IReadOnlyList<Pending> batch)
    {
        var writes = new IngestWrite[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            writes[i] = batch[i].Write;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // One writer either way: the appender writes the raw records, events and documents on a plain
                // Npgsql connection of Marten's data source.
                await using var connection = _store.Storage.Database.CreateConnection();
                await connection.OpenAsync().ConfigureAwait(false);
                if (_participant is null)
                {
                    // Nothing joins: two round trips (begin + locks + reads; writes + commit).
                    try
                    {
                        return (null, (await _appender.AppendAsync(connection, writes, withRecords: true, transaction: true).ConfigureAwait(false)).Writes);
                    }
                    catch
                    {
                        await RollBackAsync(connection).ConfigureAwait(false);
                        throw;
                    }
                }

                // Something joins the commit (the webhook outbox): the same writes in a transaction the
                // participant also writes into (Wolverine's envelopes), committed once both are written; what
                // it queued is handed on only after the commit.
                Func<Task>? afterCommit;
                Committed committed;
                await using (var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false))
                {
                    committed = await _appender.AppendAsync(connection, writes, withRecords: true).ConfigureAwait(false);
                    afterCommit = await _participant.EnlistAsync(transaction, committed.Streams).ConfigureAwait(false);
                    await transaction.CommitAsync().ConfigureAwait(false);
                }

                if (afterCommit is not null)
                {
                    await afterCommit().ConfigureAwait(false);
                }

                return (null, committed.Writes);
            }
            catch (Exception e) when (IsStreamConflict(e) && attempt < ConflictRetries)
            {
                // Another writer appended to one of these streams at the same moment (same version
                // number, or a new stream created twice). Nothing of ours committed: try again shortly.
                _logger.LogDebug("Stream conflict on attempt {Attempt}; retrying", attempt);
                await Task.Delay(Random.Shared.Next(1, 5 * attempt)).ConfigureAwait(false);
            }
            catch (Exception e) when (IsStorageUnavailable(e))
            {
                return (new StorageUnavailableException("The event store is unavailable; nothing was stored.", e), null);
            }
            catch (Exception e)
            {
                return (e, null);
            }
        }
    }

    private static bool IsStreamConflict(Exception e) =>
        Find<PostgresException>(e) is { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected }
        || e.GetType().Name is "ConcurrencyException" or "ExistingStreamIdCollisionException" or "EventStreamUnexpectedMaxEventIdException";

    public static bool IsStorageUnavailable(Exception e)
    {
        if (Find<PostgresException>(e) is { } pg)
        {
            // 08 connection, 53 resources (disk full, too many connections), 57P operator intervention, 25006
            // read-only, 58 system. Not 53200 (out of memory: e.g. the lock table full) or 53400 (a configured limit
            // exceeded): those are caused by what a commit holds, so the commit's requests are retried one by one.
            if (pg.SqlState is PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.ConfigurationLimitExceeded)
            {
                return false;
            }

            return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("58", StringComparison.Ordinal)
                || pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction;
        }

        return Find<NpgsqlException>(e) is not null || Find<System.Net.Sockets.SocketException>(e) is not null
            || Find<TimeoutException>(e) is not null;
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } agg)
            {
                return agg.InnerExceptions.Select(Find<T>).FirstOrDefault(x => x is not null);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _wake.Release();
        await _dispatcher.ConfigureAwait(false);
    }

    private sealed record Pending(IngestWrite Write, TaskCompletionSource<IngestWrite> Done);

    private sealed record Batch(List<Pending> Requests, HashSet<string> Keys);
}

/// <summary>
/// Joins a commit's transaction once its appends are written, so whatever it queues (e.g. outgoing messages
/// in Wolverine's outbox, from the inline documents the writer returned) commits or rolls back with the
/// events. Registered only when needed: without one the commit does no extra work.
/// </summary>
public interface ICommitParticipant
{
    /// <summary>
    /// A group commit or a replay chunk: its appends are already written (<see cref="IStreamAppender"/>) in
    /// <paramref name="transaction"/>, which the participant writes into too. Returns what to do once the
    /// transaction committed (null: nothing).
    /// </summary>
    Task<Func<Task>?> EnlistAsync(NpgsqlTransaction transaction, IReadOnlyList<AppendedStream> appended);
}

/// <summary>`Ledger:Ingest` settings of the group commit.</summary>
public sealed class CommitQueueOptions
{
    /// <summary>Commits in flight at once (each keeps one PostgreSQL backend busy).</summary>
    public int Lanes { get; set; } = 3;

    public int MaxRequestsPerCommit { get; set; } = 256;

    /// <summary>Appends one commit carries (a single larger request still commits alone); keeps its stream locks under <see cref="StreamLocks.MaxLocks"/>.</summary>
    public int MaxStreamsPerCommit { get; set; } = StreamLocks.MaxLocks;
}
