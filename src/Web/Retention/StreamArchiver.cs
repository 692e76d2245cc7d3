using Ledger.Projections;
using Ledger.Storage;
using Ledger.Ingest;
using Ledger.Replay;
using Marten;
using Npgsql;

namespace Ledger.Web.Retention;

/// <summary>`Ledger:Retention`: archiving of old, final messages (off unless ArchiveAfterDays is set).</summary>
public sealed class RetentionOptions
{
    /// <summary>Messages whose status is final and whose last callback is older than this are archived; 0 = never.</summary>
    public int ArchiveAfterDays { get; set; }

    public int IntervalMinutes { get; set; } = 60;

    public int BatchSize { get; set; } = 1000;

    /// <summary>Refused requests (quarantine) older than this many days are deleted (<see cref="Housekeeping"/>); 0 keeps them forever.</summary>
    public int QuarantineDays { get; set; } = 90;
}

/// <summary>
/// Retention without loss: a final message whose last callback is older than the configured age has its
/// stream archived with Marten's stream archiving (written by <see cref="ArchiveWriter"/>, beside the one
/// writer, under the streams' locks), so the hot event tables stay small. What stays true:
/// its status, history and finance documents are untouched (readable as before); a late report for it
/// brings the stream back and is appended (CommitQueue); a replay reads archived streams and restores the
/// ones it corrects; `rebuild` restores every archived stream first, so it sees every event. Nothing is
/// archived while a replay is queued or running. One pass runs in one transaction under a
/// transaction-scoped lock, so several instances never archive at the same time; it archives at most
/// <see cref="StreamLocks.MaxLocks"/> streams (their locks), whatever the configured batch.
/// </summary>
public sealed class StreamArchiver(IDocumentStore store, RetentionOptions options, TimeProvider clock, ILogger<StreamArchiver> logger) : BackgroundService
{
    private const long PassLock = 0x4c65646765725265; // "LedgerRe": one archiving pass at a time, across instances

    private readonly ArchiveWriter _writer = new(store);

    private int BatchSize => Math.Clamp(options.BatchSize, 1, StreamLocks.MaxLocks);

    /// <summary>Archives one batch; returns how many streams, or -1 when it stood aside (replay, other instance, off).</summary>
    public async Task<int> ArchiveOnceAsync(CancellationToken ct = default)
    {
        if (options.ArchiveAfterDays <= 0)
        {
            return -1;
        }

        await using (var session = store.QuerySession())
        {
            if (await session.Query<ReplayJob>().AnyAsync(j => j.State == ReplayStates.Queued || j.State == ReplayStates.Running, ct))
            {
                logger.LogInformation("A replay is queued or running: archiving waits");
                return -1;
            }
        }

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("select pg_try_advisory_xact_lock(@id)", connection))
        {
            lockCommand.Parameters.AddWithValue("id", PassLock);
            if (await lockCommand.ExecuteScalarAsync(ct) is not true)
            {
                return -1;
            }
        }

        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.ArchiveAfterDays);
        var keys = new List<string>();
        await using (var select = new NpgsqlCommand(
            $"select s.id from {InlineAppender.EventTable(store, "mt_streams")} s join {InlineAppender.MartenTable(store, typeof(Message)).Identifier.QualifiedName} d on d.id = s.id " +
            "where not s.is_archived and (d.data ->> 'Final')::boolean and coalesce(d.data ->> 'LastReceivedAt', d.data ->> 'FirstReceivedAt')::timestamptz < @cutoff limit @limit",
            connection))
        {
            select.Parameters.AddWithValue("cutoff", cutoff);
            select.Parameters.AddWithValue("limit", BatchSize);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                keys.Add(reader.GetString(0));
            }
        }

        if (keys.Count == 0)
        {
            return 0;
        }

        // Under the same per-stream locks as every append: no report is being appended to these right now.
        await _writer.ArchiveAsync(connection, keys, ct);
        await transaction.CommitAsync(ct);
        logger.LogInformation("Archived {Count} final messages older than {Days} days", keys.Count, options.ArchiveAfterDays);
        return keys.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ArchiveAfterDays <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, options.IntervalMinutes)));
        do
        {
            try
            {
                while (await ArchiveOnceAsync(stoppingToken) >= BatchSize)
                {
                    // a full batch: there may be more
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Archiving pass failed; it runs again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
