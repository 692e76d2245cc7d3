using System.Diagnostics;
using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Ingest;

/// <summary>The store could not take the write (down, read-only, full): answer 503 so the provider retries.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Group commit: concurrent requests' writes share one session, one transaction and one fsync; each
/// request is released only after the commit that holds it (PRODUCT.md rule 2). A single writer also
/// serializes appends to the same stream inside this instance, so parallel first pushes for one message
/// never race on the streams table. If a shared commit fails for a reason that is not the storage
/// itself, each write is retried on its own so one bad request never fails its neighbours.
/// </summary>
public sealed class CommitQueue : IAsyncDisposable
{
    private const int ConflictRetries = 5;

    private readonly IDocumentStore _store;
    private readonly ILogger<CommitQueue> _logger;
    private readonly int _maxBatch;
    private readonly LedgerMetrics? _metrics;
    private readonly Channel<Pending> _channel = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public CommitQueue(IDocumentStore store, ILogger<CommitQueue> logger, int maxBatch = 256, LedgerMetrics? metrics = null)
    {
        _store = store;
        _logger = logger;
        _maxBatch = maxBatch;
        _metrics = metrics;
        _loop = Task.Run(RunAsync);
    }

    public Task CommitAsync(IngestWrite write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_channel.Writer.TryWrite(pending))
        {
            throw new StorageUnavailableException("The ledger is shutting down.", new ObjectDisposedException(nameof(CommitQueue)));
        }

        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await CommitBatchAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task CommitBatchAsync(List<Pending> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var failure = await TryCommitAsync(batch).ConfigureAwait(false);
        _metrics?.Committed(batch.Count, Stopwatch.GetElapsedTime(started), failure is null);
        if (failure is null)
        {
            foreach (var p in batch)
            {
                p.Done.TrySetResult();
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
            var single = await TryCommitAsync([p]).ConfigureAwait(false);
            if (single is null)
            {
                p.Done.TrySetResult();
            }
            else
            {
                p.Done.TrySetException(single);
            }
        }
    }

    /// <returns>null when committed, else the failure (already classified).</returns>
    private async Task<Exception?> TryCommitAsync(IReadOnlyList<Pending> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = _store.LightweightSession();
                foreach (var p in batch)
                {
                    session.Insert(p.Write.Record);
                    foreach (var append in p.Write.Appends)
                    {
                        session.Events.Append(append.StreamKey, append.Events);
                    }
                }

                await session.SaveChangesAsync().ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (IsStreamConflict(e) && attempt < ConflictRetries)
            {
                // Another instance appended to one of these streams at the same moment (same version
                // number or a new stream created twice). Nothing of ours committed: try again.
                _logger.LogDebug("Stream conflict on attempt {Attempt}; retrying", attempt);
            }
            catch (Exception e) when (IsStorageUnavailable(e))
            {
                return new StorageUnavailableException("The event store is unavailable; nothing was stored.", e);
            }
            catch (Exception e)
            {
                return e;
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
            // 08 connection, 53 resources (disk full), 57P operator intervention, 25006 read-only, 58 system.
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
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private sealed record Pending(IngestWrite Write, TaskCompletionSource Done);
}
