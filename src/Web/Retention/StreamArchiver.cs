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
/// stream archived with Marten's stream archiving, so the hot event tables stay small. What stays true:
/// its status, history and finance documents are untouched (readable as before); a late report for it
/// brings the stream back and is appended (CommitQueue); a replay reads archived streams and restores the
/// ones it corrects; `rebuild` restores every archived stream first, so it sees every event. Nothing is
/// archived while a replay is queued or running. One pass runs in one transaction under a
/// transaction-scoped lock, so several instances never archive at the same time.
/// </summary>
public sealed class StreamArchiver(IDocumentStore store, RetentionOptions options, TimeProvider clock, ILogger<StreamArchiver> logger) : BackgroundService
{
    private const long PassLock = 0x4c65646765725265; // "LedgerRe": one archiving pass at a time, across instances

    /// <summary>Archives one batch; returns how many streams, or -1 when it stood aside (replay, other instance, off).</summary>
    public async Task<int> ArchiveOnceAsync(CancellationToken ct = default)
    {
        if (options.ArchiveAfterDays <= 0)
        {
            return -1;
        }

        await using var session = store.LightweightSession();
        var replaying = await session.Query<ReplayJob>()
            .AnyAsync(j => j.State == ReplayStates.Queued || j.State == ReplayStates.Running, ct);
        if (replaying)
        {
            logger.LogInformation("A replay is queued or running: archiving waits");
            return -1;
        }

        await session.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)session.Connection!;
        await using (var lockCommand = new NpgsqlCommand("select pg_try_advisory_xact_lock(@id)", connection))
        {
            lockCommand.Parameters.AddWithValue("id", PassLock);
            if (await lockCommand.ExecuteScalarAsync(ct) is not true)
            {
                return -1;
            }
        }

        var schema = store.Options.Events.DatabaseSchemaName;
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.ArchiveAfterDays);
        var keys = new List<string>();
        await using (var select = new NpgsqlCommand(
            $"select s.id from {schema}.mt_streams s join {store.Options.DatabaseSchemaName}.mt_doc_message d on d.id = s.id " +
            "where not s.is_archived and (d.data ->> 'Final')::boolean and coalesce(d.data ->> 'LastReceivedAt', d.data ->> 'FirstReceivedAt')::timestamptz < @cutoff limit @limit",
            connection))
        {
            select.Parameters.AddWithValue("cutoff", cutoff);
            select.Parameters.AddWithValue("limit", options.BatchSize);
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

        // The same per-stream locks as ingest and replay: no report is being appended to these right now.
        await StreamLocks.LockAsync(connection, keys, ct);

        foreach (var key in keys)
        {
            session.Events.ArchiveStream(key);
        }

        await session.SaveChangesAsync(ct);
        logger.LogInformation("Archived {Count} final messages older than {Days} days", keys.Count, options.ArchiveAfterDays);
        return keys.Count;
    }

    /// <summary>
    /// Streams archived now: brought back before a rebuild (which reads live events only), archived again
    /// after. One transaction, through the same restore as the writer's (<see cref="ArchivedStreams"/>).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RestoreAllAsync(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var keys = new List<string>();
        await using (var archived = new NpgsqlCommand($"select id from {schema}.mt_streams where is_archived", connection))
        await using (var reader = await archived.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                keys.Add(reader.GetString(0));
            }
        }

        await StreamLocks.LockAsync(connection, keys, ct);
        await ArchivedStreams.RestoreAsync(connection, schema, keys, ct);
        await transaction.CommitAsync(ct);
        return keys;
    }

    public static async Task ArchiveAgainAsync(IDocumentStore store, IReadOnlyList<string> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await using var session = store.LightweightSession();
        foreach (var key in keys)
        {
            session.Events.ArchiveStream(key);
        }

        await session.SaveChangesAsync(ct);
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
                while (await ArchiveOnceAsync(stoppingToken) >= options.BatchSize)
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
