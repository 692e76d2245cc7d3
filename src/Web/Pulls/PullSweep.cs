using Ledger.Projections;
using Ledger.Web.Reconciliation;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;

namespace Ledger.Web.Pulls;

/// <summary>
/// The background sweep of `Ledger:Pull:AfterMinutes` (docs/rules.md rule 9): every `SweepMinutes`, for each
/// account with pull credentials whose provider has a query API, one job asks about the registered
/// messages with no final report that long after `sentAt`, inside the provider's query window, that have
/// not been pulled in that time and that the pull has not given up on yet (`GiveUpAfter`). One pass runs
/// at a time across instances (a transaction-scoped advisory lock, as the archiver's passes), and an
/// account gets no second sweep job while one is unfinished. It also hands a job whose message was lost
/// (not updated for <see cref="StalledAfter"/> and not waiting out a back-off) back to the queue.
/// </summary>
public sealed class PullSweep(
    IDocumentStore store,
    IServiceScopeFactory scopes,
    PullProviders providers,
    IOptionsMonitor<LedgerOptions> ledger,
    PullOptions options,
    TimeProvider clock,
    ILogger<PullSweep> logger) : BackgroundService
{
    public const string StartedBy = "sweep";
    private const long PassLock = 0x4c65646765725075; // "LedgerPu"

    public static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(5);

    /// <summary>One pass; returns the jobs it queued (sweep jobs and resumed stalled ones), or -1 when another instance was sweeping.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(Message), ct);
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(PullJob), ct);
        await session.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("select pg_try_advisory_xact_lock(@id)", (NpgsqlConnection)session.Connection!))
        {
            lockCommand.Parameters.AddWithValue("id", PassLock);
            if (await lockCommand.ExecuteScalarAsync(ct) is not true)
            {
                return -1;
            }
        }

        var now = clock.GetUtcNow();
        var unfinished = await session.Query<PullJob>()
            .Where(j => j.State != PullStates.Completed && j.State != PullStates.Failed)
            .ToListAsync(ct);
        var runs = unfinished
            .Where(j => (j.UpdatedAt ?? j.CreatedAt) + StalledAfter < now && (j.NextAttemptAt is not { } at || at + TimeSpan.FromMinutes(1) < now))
            .Select(j => j.Id)
            .ToList();

        foreach (var (provider, accounts) in ledger.CurrentValue.Providers)
        {
            if (providers.Find(provider) is not { } pull)
            {
                continue;
            }

            foreach (var (account, settings) in accounts)
            {
                if (settings.Pull is null || unfinished.Any(j => j.StartedBy == StartedBy
                        && string.Equals(j.Provider, pull.Name, StringComparison.OrdinalIgnoreCase)
                        && string.Equals(j.Account, account, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var keys = await session.AdvancedSql.QueryAsync<string>($"""
                    select substr(id, length(provider) + 2) from {ReconciliationQueries.MessagesTable(session)}
                    where provider = ? and account = ? and data->>'SentAt' is not null and not coalesce((data->>'Final')::boolean, false)
                      and (data->>'SentAt')::timestamptz <= ? and (data->>'SentAt')::timestamptz >= ?
                      and coalesce((data->>'PullsWithoutReport')::int, 0) < ?
                      and (data->>'LastPulledAt' is null or (data->>'LastPulledAt')::timestamptz <= ?)
                    order by (data->>'SentAt')::timestamptz
                    limit {Math.Max(1, options.SweepBatch)}
                    """, ct, pull.Name, account, (now - options.After).ToUniversalTime(), (now - pull.SweepWindow).ToUniversalTime(),
                    options.GiveUpAfter, (now - options.After).ToUniversalTime());
                if (keys.Count == 0)
                {
                    continue;
                }

                var job = PullJob.Queue(pull.Name, account, now - pull.SweepWindow, now, keys, StartedBy, now);
                session.Store(job);
                runs.Add(job.Id);
                logger.LogInformation("Pull sweep: {Count} {Provider}/{Account} messages have no final report after {Minutes} minutes; pull {PullId} queued",
                    keys.Count, pull.Name, account, options.AfterMinutes, job.Id);
            }
        }

        await session.SaveChangesAsync(ct);
        if (runs.Count > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            foreach (var id in runs)
            {
                await bus.PublishAsync(new RunPull(id)); // a lost publish is a stalled job: the next pass hands it back
            }
        }

        return runs.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.SweepMinutes <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.SweepMinutes), clock);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Pull sweep failed; it runs again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
