using Ledger.Storage;

namespace Ledger.Web.Retention;

/// <summary>
/// Deletes signed nonces whose window is over, every few minutes: a replay that old is refused by its stale
/// timestamp, so the row protects nothing any more. Every instance may run it; deleting twice is harmless.
/// </summary>
public sealed class NoncePruning(NonceLedger nonces, TimeProvider clock, ILogger<NoncePruning> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await nonces.PruneAsync(clock.GetUtcNow(), stoppingToken) is > 0 and var pruned)
                {
                    logger.LogDebug("Pruned {Count} expired nonces", pruned);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Pruning expired nonces failed; trying again in {Minutes} minutes: {Error}", Interval.TotalMinutes, e.Message);
            }
        }
    }
}
