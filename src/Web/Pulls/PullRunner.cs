using Ledger.Storage;
using System.Security.Cryptography;
using System.Text;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Providers.Pull;
using Ledger.Replay;
using Ledger.Status;
using Marten;
using Npgsql;

namespace Ledger.Web.Pulls;

/// <summary>A message to ask the provider about: its key, and what the query needs (phone, send time) and ownership.</summary>
public sealed record PullTarget(string MessageKey, string? Phone, DateTimeOffset? SentAt, DateTimeOffset? FirstSeen, string? Owner);

/// <summary>What asking about one message gave: the last answer, and the reports it added.</summary>
public sealed record PullOutcome(PullAnswer? Answer, int Found, int Appended, int Duplicates, string? Error)
{
    public bool Throttled => Answer?.Throttled == true;

    /// <summary>Wrong or missing credentials: asking again cannot help, so the job stops at once (no retry storm).</summary>
    public bool Fatal => Answer?.Error?.Kind is PullErrorKind.Credentials or PullErrorKind.Configuration;
}

/// <summary>
/// Runs a <see cref="PullJob"/> message by message (docs/rules.md rule 9). Each answer goes through the one
/// commit path (<see cref="CommitQueue"/>) as an <see cref="IngestWrite.Pulled"/>, so a pulled report
/// is appended exactly like a push, shares the group commit with live ingest instead of competing with
/// it, and is judged by the same fold. Calls are spaced by `Ledger:Pull:DelayMilliseconds`; a throttled
/// answer parks the job until its back-off has passed (the handler schedules the next run, so no thread
/// waits); wrong credentials fail the job after that one call. One job per account runs at a time
/// across instances (a PostgreSQL advisory lock held while it runs).
/// </summary>
public sealed class PullRunner(
    IDocumentStore store,
    CommitQueue commits,
    PullProviders providers,
    AccountLookup accounts,
    PullOptions options,
    TimeProvider clock,
    ILogger<PullRunner> logger)
{
    private const int TargetsPerRead = 20;
    private const int MaxPages = 10;

    public async Task<PullJob> QueueAsync(PullJob job, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        session.Store(job);
        await session.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>
    /// Why a pull of this provider account cannot start, or null. Credentials are checked against the one list
    /// (<see cref="PullSettings.Required"/>, what verify-config checks too), so a request that could only fail
    /// is refused before a job is queued, naming the keys to set.
    /// </summary>
    public string? Problem(string provider, string account)
    {
        if (providers.Find(provider) is null)
        {
            return $"'{provider}' has no status query API the ledger can call; providers that pull: {string.Join(", ", providers.Names.Order())}.";
        }

        if (accounts(provider, account) is not { } settings)
        {
            return $"No account '{account}' is configured for {provider}.";
        }

        return (settings.Pull ?? new PullSettings()).NotReady(provider, account);
    }

    /// <summary>
    /// Runs the job from its cursor until it finishes, is throttled, or <paramref name="timeBudget"/> has
    /// passed. Returns the job as saved and, when it must wait (throttled, or another instance runs a job
    /// of the same account), how long.
    /// </summary>
    public async Task<(PullJob Job, TimeSpan? Wait)> RunAsync(Guid jobId, CancellationToken ct = default, TimeSpan? timeBudget = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PullJob job;
        await using (var query = store.QuerySession())
        {
            job = await query.LoadAsync<PullJob>(jobId, ct) ?? throw new InvalidOperationException($"No pull {jobId}.");
        }

        if (job.Finished)
        {
            return (job, null);
        }

        var now = clock.GetUtcNow();
        if (job.NextAttemptAt is { } next && next > now)
        {
            return (job, next - now); // a resume or a duplicate message before the back-off is over
        }

        await using var lease = await AccountLease.TryTakeAsync(store, job.Provider, job.Account, ct);
        if (lease is null)
        {
            return (job, TimeSpan.FromSeconds(5)); // another instance is pulling for this account
        }

        if (Problem(job.Provider, job.Account) is { } problem)
        {
            return (await SaveAsync(job with { State = PullStates.Failed, LastError = problem, CompletedAt = clock.GetUtcNow() }, ct), null);
        }

        var provider = providers.Find(job.Provider)!;
        var settings = accounts(job.Provider, job.Account)?.Pull ?? new PullSettings();
        job = await SaveAsync(job with
        {
            State = PullStates.Running,
            StartedAt = job.StartedAt ?? clock.GetUtcNow(),
            NextAttemptAt = null,
        }, ct);

        while (true)
        {
            var targets = await NextTargetsAsync(job, ct);
            if (targets.Count == 0)
            {
                return (await SaveAsync(job with { State = PullStates.Completed, CompletedAt = clock.GetUtcNow() }, ct), null);
            }

            foreach (var target in targets)
            {
                ct.ThrowIfCancellationRequested();
                var outcome = await AskAsync(provider, job.Account, settings, target, job.From, ct);
                var asked = outcome.Answer is { } answer && answer.Error?.Kind != PullErrorKind.Configuration ? 1 : 0; // a call went out
                job = job with { Asked = job.Asked + asked, UpdatedAt = clock.GetUtcNow() };
                if (outcome.Fatal)
                {
                    logger.LogWarning("Pull {PullId} of {Provider}/{Account} stopped: {Error}", job.Id, job.Provider, job.Account, outcome.Error);
                    return (await SaveAsync(job with
                    {
                        State = PullStates.Failed,
                        Errors = job.Errors + 1,
                        LastError = outcome.Error,
                        CompletedAt = clock.GetUtcNow(),
                    }, ct), null);
                }

                if (outcome.Throttled)
                {
                    var inARow = job.ThrottledInARow + 1;
                    var wait = PullJob.Backoff(inARow, outcome.Answer!.RetryAfter, options.FirstBackoff, options.LongestBackoff);
                    logger.LogInformation("Pull {PullId}: {Provider} throttled the query ({InARow} in a row); waiting {Wait}", job.Id, job.Provider, inARow, wait);
                    return (await SaveAsync(job with
                    {
                        State = PullStates.Waiting,
                        Throttled = job.Throttled + 1,
                        ThrottledInARow = inARow,
                        LastError = outcome.Error,
                        NextAttemptAt = clock.GetUtcNow() + wait,
                    }, ct), wait);
                }

                job = await SaveAsync(job with
                {
                    Found = job.Found + outcome.Found,
                    Appended = job.Appended + outcome.Appended,
                    Duplicates = job.Duplicates + outcome.Duplicates,
                    Errors = job.Errors + (outcome.Error is null ? 0 : 1),
                    LastError = outcome.Error ?? job.LastError,
                    ThrottledInARow = 0,
                    Messages = job.Messages + 1,
                    Cursor = target.MessageKey,
                }, ct);

                if (timeBudget is { } budget && System.Diagnostics.Stopwatch.GetElapsedTime(started) >= budget)
                {
                    return (job, null);
                }

                if (asked > 0 && options.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(options.Delay, clock, ct);
                }
            }
        }
    }

    /// <summary>
    /// Asks the provider about one message and commits what it said: every answer as a raw record, the
    /// message's reports as `source: pull` reports, and a <see cref="PullFoundNoReport"/> when none of
    /// them is final. The same code serves jobs and `POST /messages/{provider}/{messageKey}/pull`.
    /// </summary>
    public async Task<PullOutcome> AskAsync(PullProvider provider, string account, PullSettings settings, PullTarget target,
        DateTimeOffset fallbackFrom, CancellationToken ct)
    {
        if (target.Owner is { } owner && !string.Equals(owner, account, StringComparison.OrdinalIgnoreCase))
        {
            // docs/rules.md rule 8: one account's credentials never change another account's message.
            return new PullOutcome(null, 0, 0, 0, $"{provider.Name} message '{target.MessageKey}' belongs to account '{owner}', not '{account}'.");
        }

        var now = clock.GetUtcNow();
        var sent = target.SentAt ?? target.FirstSeen ?? fallbackFrom;
        if (provider.Window is { } window && sent < now - window)
        {
            return new PullOutcome(null, 0, 0, 0,
                $"{provider.Name} message '{target.MessageKey}' was sent {sent:O}, outside the {window.TotalDays:0}-day window of the provider's query API.");
        }

        // A few minutes either side of the send time: the provider's clock and ours differ, and a report
        // comes after the send (Tencent asks by a time range; Alibaba by the Beijing date of the start).
        var from = sent - TimeSpan.FromMinutes(5);
        var to = provider.Window is { } w && from + w < now ? from + w : now;
        PullAnswer? last = null;
        var found = new List<PulledReport>();
        var recordIds = new List<Guid>();
        for (var page = 1; page <= MaxPages; page++)
        {
            PullAnswer answer;
            try
            {
                answer = await provider.Query.QueryAsync(new PullRequest(account, settings, target.Phone, from, to, [target.MessageKey], page), ct);
            }
            catch (ArgumentException e)
            {
                return new PullOutcome(null, 0, 0, 0, e.Message);
            }

            last = answer;
            if (answer.Error?.Kind == PullErrorKind.Configuration)
            {
                return new PullOutcome(answer, 0, 0, 0, answer.Error.Detail); // nothing was sent, so there is nothing to keep
            }

            var reports = answer.Reports.TryGetValue(target.MessageKey, out var mine) ? mine : [];
            found.AddRange(reports);
            var more = answer.Error is null && answer.NextPage is not null && page < MaxPages;
            var noReport = answer.Error is null && !more && !found.Any(r => r.Report.Final) ? new[] { target.MessageKey } : [];
            var record = RawRequestRecord.FromPull(answer);
            await commits.CommitAsync(IngestWrite.Pulled(record, reports, noReport));
            recordIds.Add(record.Id);
            if (!more)
            {
                break;
            }
        }

        var (appended, duplicates) = found.Count == 0 ? (0, 0) : await EffectsAsync(provider.Name, target.MessageKey, recordIds, ct);
        return new PullOutcome(last, found.Count, appended, duplicates, last?.Error?.Detail);
    }

    /// <summary>What the fold made of the pulled reports: the history entries of those answers say applied/superseded or duplicate.</summary>
    private async Task<(int Appended, int Duplicates)> EffectsAsync(string provider, string messageKey, List<Guid> recordIds, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var message = await query.LoadAsync<Message>(StreamKeys.Message(provider, messageKey), ct);
        var entries = message?.Entries.Where(e => e.Type == EntryTypes.Report && recordIds.Contains(e.RequestId)).ToList() ?? [];
        var duplicates = entries.Count(e => e.Effect == ReportEffect.Duplicate);
        return (entries.Count - duplicates, duplicates);
    }

    /// <summary>The next messages after the cursor: the named ones, or the account's messages sent in the range with no final report.</summary>
    private async Task<IReadOnlyList<PullTarget>> NextTargetsAsync(PullJob job, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        if (job.MessageKeys is { } keys)
        {
            var next = keys.Where(k => job.Cursor is null || string.CompareOrdinal(k, job.Cursor) > 0).Take(TargetsPerRead).ToList();
            if (next.Count == 0)
            {
                return [];
            }

            var known = (await query.LoadManyAsync<Message>(ct, next.Select(k => StreamKeys.Message(job.Provider, k)).ToArray()))
                .ToDictionary(m => m.MessageKey, StringComparer.Ordinal);
            return [.. next.Select(k => known.TryGetValue(k, out var m) ? Target(m) : new PullTarget(k, null, null, null, null))];
        }

        await query.DocumentStore.Storage.Database.EnsureStorageExistsAsync(typeof(Message), ct);
        var rows = await query.AdvancedSql.QueryAsync<PullTarget>($"""
            select jsonb_build_object('MessageKey', substr(id, length(provider) + 2), 'Phone', coalesce(data->>'Phone', data->>'PhoneDigits'), 'SentAt', data->'SentAt',
                                      'FirstSeen', data->'FirstReceivedAt', 'Owner', account)
            from {Reconciliation.ReconciliationQueries.MessagesTable(query)}
            where provider = ? and account = ? and not coalesce((data->>'Final')::boolean, false)
              and coalesce((data->>'SentAt')::timestamptz, (data->>'FirstReceivedAt')::timestamptz) >= ?
              and coalesce((data->>'SentAt')::timestamptz, (data->>'FirstReceivedAt')::timestamptz) < ?
              and substr(id, length(provider) + 2) collate "C" > ?
            order by substr(id, length(provider) + 2) collate "C"
            limit {TargetsPerRead}
            """, ct, job.Provider, job.Account, job.From.ToUniversalTime(), job.To.ToUniversalTime(), job.Cursor ?? "");
        return rows;
    }

    public static PullTarget Target(Message m) =>
        new(m.MessageKey, m.Phone, m.SentAt, m.FirstReceivedAt == default ? m.EarliestProviderTime : m.FirstReceivedAt, m.Account);

    private async Task<PullJob> SaveAsync(PullJob job, CancellationToken ct)
    {
        job = job with { UpdatedAt = clock.GetUtcNow() };
        await using var session = store.LightweightSession();
        session.Store(job);
        await session.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>
    /// A session-level PostgreSQL advisory lock per provider account, held on a connection of its own while
    /// a job runs: a second instance (or a second job of the same account) finds it taken and waits.
    /// </summary>
    private sealed class AccountLease(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public static async Task<AccountLease?> TryTakeAsync(IDocumentStore store, string provider, string account, CancellationToken ct)
        {
            var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select pg_try_advisory_lock(@key)", connection);
            var key = Key(provider, account);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                return new AccountLease(connection, key);
            }

            await connection.DisposeAsync();
            return null;
        }

        /// <summary>A stable 64-bit key: the first bytes of SHA-256 over `pull:{provider}:{account}`.</summary>
        public static long Key(string provider, string account) =>
            BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"pull:{provider.ToLowerInvariant()}:{account.ToLowerInvariant()}")), 0);

        /// <summary>Unlocked explicitly: the ledger's pool keeps sessions open (No Reset On Close), so closing would not release it.</summary>
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@key)", connection);
                unlock.Parameters.AddWithValue("key", key);
                await unlock.ExecuteScalarAsync();
            }
            catch (NpgsqlException)
            {
                // the connection is gone, and its session (with the lock) with it
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
