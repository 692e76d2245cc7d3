using Ledger.Ingest;
using Ledger.Storage;
using Marten;

namespace Ledger.Web.Retention;

/// <summary>
/// Every few minutes: deletes signed nonces whose window is over (a replay that old is refused by its stale
/// timestamp, so the row protects nothing any more), and refused requests older than
/// `Ledger__Retention__QuarantineDays` (their raw records: anyone can send refused requests, so they may not
/// pile up forever; the daily `rejected` counts and the quarantine events stay). Accepted requests, and
/// accepted batches with items refused one by one, are never deleted. Every instance may run it: deleting
/// twice is harmless.
/// </summary>
public sealed class Housekeeping(NonceLedger nonces, IDocumentStore store, RetentionOptions retention, TimeProvider clock, ILogger<Housekeeping> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Housekeeping failed; trying again in {Minutes} minutes: {Error}", Interval.TotalMinutes, e.Message);
            }
        }
    }

    /// <returns>Nonces and refused requests deleted.</returns>
    public async Task<(int Nonces, int Quarantined)> RunOnceAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var pruned = await nonces.PruneAsync(now, ct);
        var deleted = 0;
        if (retention.QuarantineDays > 0)
        {
            var cutoff = now - TimeSpan.FromDays(retention.QuarantineDays);
            await using var session = store.LightweightSession();
            deleted = await session.Query<RawRequestRecord>().CountAsync(r => r.Outcome == RequestOutcomes.Quarantined && r.ReceivedAt < cutoff, ct);
            if (deleted > 0)
            {
                session.DeleteWhere<RawRequestRecord>(r => r.Outcome == RequestOutcomes.Quarantined && r.ReceivedAt < cutoff);
                await session.SaveChangesAsync(ct);
                logger.LogInformation("Deleted {Count} refused requests older than {Days} days (Ledger__Retention__QuarantineDays)", deleted, retention.QuarantineDays);
            }
        }

        return (pruned, deleted);
    }
}
