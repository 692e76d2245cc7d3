using Ledger.Replay;
using System.Buffers.Binary;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Replies;
using Marten;
using Microsoft.Extensions.Logging;

namespace Ledger.Storage;

/// <summary>The settings of one provider account (the `Ledger:Providers` section), or null when not configured.</summary>
public delegate ProviderAccount? AccountLookup(string provider, string? account);

/// <summary>
/// Runs a <see cref="ReplayJob"/> chunk by chunk over the raw requests in its range.
/// <para>
/// It walks the raw request records, not the event streams: a request is the unit the adapter reads
/// (one request carries many items for many streams), and request ids are UUIDv7 made from the
/// receive time, so a time range is a primary-key range and the cursor is simply the last id done:
/// each chunk is one index range scan whatever the size of the store (≥ 1,000,000 events).
/// </para>
/// <para>
/// Each chunk commits in one short transaction: its corrections and rescues, appended through the one
/// writer (<see cref="IStreamAppender"/>: the same stream locks, fold, admission and statements as live
/// ingest), its difference rows and the job with its new cursor (through a Marten session enlisted in that
/// same transaction). A crash loses at most the chunk in flight, which runs again; and as a correction is
/// appended only when today's reading differs from the latest on record, running any chunk twice appends
/// nothing the second time. Appends are optimistic per stream: the writer checks, under the locks, that
/// every stream the chunk read is still at the version read; if live ingest moved one meanwhile, nothing
/// of the chunk commits and it is read and decided again. A rescue the writer's admission refuses (the
/// message belongs to another account) is not applied: the chunk is decided again with that request
/// reported as not rescued.
/// </para>
/// <para>
/// Replies are read again the same way: a reply whose reading changed gets a <see cref="ReplyCorrected"/> in
/// its reply stream, and a quarantined request that now reads as replies is rescued into reply streams. A
/// replay restricted to message keys leaves replies alone.
/// </para>
/// </summary>
public sealed class ReplayRunner(IDocumentStore store, IStreamAppender appender, ProviderCatalog catalog, AccountLookup accounts, TimeProvider clock,
    ILogger<ReplayRunner> logger, ICommitParticipant? participant = null, UnsubscribeKeywords? unsubscribe = null)
{
    private const int ConflictRetries = 5;
    private volatile bool _documentTablesReady;

    /// <summary>The keywords live ingest flags replies with, so a reading compares like for like.</summary>
    private readonly UnsubscribeKeywords _unsubscribe = unsubscribe ?? new UnsubscribeKeywords();

    public async Task<ReplayJob> QueueAsync(ReplayOptions options, string startedBy, int chunkSize = 100, CancellationToken ct = default)
    {
        var job = ReplayJob.Queue(options, startedBy, clock.GetUtcNow(), chunkSize);
        await using var session = store.LightweightSession();
        session.Store(job);
        await session.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>
    /// Runs the job from its cursor, at most <paramref name="maxChunks"/> chunks and, when given, until
    /// <paramref name="timeBudget"/> has passed after a chunk (null: to the end). Returns the job as
    /// committed; it is finished when its state is completed or failed.
    /// </summary>
    public async Task<ReplayJob> RunAsync(Guid jobId, int? maxChunks = null, CancellationToken ct = default, TimeSpan? timeBudget = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ReplayJob job;
        await using (var query = store.QuerySession())
        {
            job = await query.LoadAsync<ReplayJob>(jobId, ct) ?? throw new InvalidOperationException($"No replay {jobId}.");
        }

        if (job.Finished)
        {
            return job;
        }

        var problem = job.Options.Problem()
            ?? (job.Options.Provider is { } p && catalog.Find(p) is null ? $"No provider is called '{p}'." : null);
        if (problem is not null)
        {
            return await SaveStateAsync(job with
            {
                State = ReplayStates.Failed,
                Error = problem,
                CompletedAt = clock.GetUtcNow(),
            }, ct);
        }

        if (job.State == ReplayStates.Queued)
        {
            job = await SaveStateAsync(job with { State = ReplayStates.Running, StartedAt = clock.GetUtcNow() }, ct);
        }

        try
        {
            var requestIds = await RequestsOfMessagesAsync(job.Options, ct);
            for (var chunks = 0; maxChunks is null || chunks < maxChunks; chunks++)
            {
                ct.ThrowIfCancellationRequested();
                var (next, more) = await RunChunkAsync(job, requestIds, ct);
                job = next;
                if (!more)
                {
                    return await SaveStateAsync(job with { State = ReplayStates.Completed, CompletedAt = clock.GetUtcNow() }, ct);
                }

                if (timeBudget is { } budget && System.Diagnostics.Stopwatch.GetElapsedTime(started) >= budget)
                {
                    break;
                }
            }

            return job;
        }
        catch (Exception e) when (e is not OperationCanceledException && !CommitQueue.IsStorageUnavailable(e))
        {
            logger.LogError(e, "Replay {ReplayId} failed", job.Id);
            return await SaveStateAsync(job with { State = ReplayStates.Failed, Error = e.Message, CompletedAt = clock.GetUtcNow() }, ct);
        }
    }

    private async Task<ReplayJob> SaveStateAsync(ReplayJob job, CancellationToken ct)
    {
        job = job with { UpdatedAt = clock.GetUtcNow() };
        await using var session = store.LightweightSession();
        session.Store(job);
        await session.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>With `messageKeys`: the requests that carried items for those messages; else null (no restriction).</summary>
    private async Task<Guid[]?> RequestsOfMessagesAsync(ReplayOptions options, CancellationToken ct)
    {
        if (options.MessageKeys is not { Count: > 0 } keys)
        {
            return null;
        }

        await using var query = store.QuerySession();
        var ids = new HashSet<Guid>();
        foreach (var key in keys.Distinct())
        {
            var events = await StreamEvents.ReadAsync(query, StreamKeys.Message(options.Provider!, key), ct: ct); // archived ones too
            ids.UnionWith(events.Select(e => e.Data switch
            {
                ReportReceived r => r.RequestId,
                CallbackReceived c => c.RequestId, // streams of earlier builds
                _ => Guid.Empty,
            }).Where(id => id != Guid.Empty));
        }

        return [.. ids.Order()];
    }

    private async Task<(ReplayJob Job, bool More)> RunChunkAsync(ReplayJob job, Guid[]? requestIds, CancellationToken ct)
    {
        var refused = new Dictionary<Guid, string>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryChunkAsync(job, requestIds, refused, ct);
            }
            catch (RescueRefusedException e)
            {
                // Nothing of the chunk committed: decided again, those requests reported as not rescued. Each
                // request is refused at most once, so this ends.
                foreach (var (id, reason) in e.Refused)
                {
                    refused[id] = reason;
                }

                attempt--;
            }
            catch (Exception e) when (attempt < ConflictRetries && IsConflict(e))
            {
                // Live ingest appended to one of this chunk's streams meanwhile: nothing of the chunk
                // committed. Read the streams again and decide again.
                logger.LogDebug("Replay {ReplayId}: stream moved during a chunk (attempt {Attempt}); retrying", job.Id, attempt);
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
            }
        }
    }

    /// <param name="refused">Requests whose rescue the writer refused in an earlier attempt, with why: reported, not appended.</param>
    private async Task<(ReplayJob Job, bool More)> TryChunkAsync(ReplayJob job, Guid[]? requestIds, IReadOnlyDictionary<Guid, string> refused,
        CancellationToken ct)
    {
        var options = job.Options;
        await using var session = store.QuerySession();
        var records = await NextRecordsAsync(session, job, requestIds, ct);
        if (records.Count == 0)
        {
            return (job, false);
        }

        var includeKey = options.MessageKeys is { Count: > 0 } keys ? new HashSet<string>(keys).Contains : (Func<string, bool>?)null;
        var streams = new Dictionary<string, IReadOnlyList<object>>(StringComparer.Ordinal);
        var appends = new List<(RawRequestRecord Record, StreamAppend Append)>();
        var differences = new List<ReplayDifference>();
        long scanned = 0, corrected = 0, rescued = 0;
        var now = clock.GetUtcNow();

        // Every record read again first (pure), then the streams they touch read together: one query per
        // 1,000 streams, not one per stream (a 100-report request touches 100).
        var readings = new Dictionary<Guid, AdapterResult>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!InRange(options, record) || catalog.Find(record.Provider) is not { } adapter || accounts(record.Provider, record.Account) is not { } account)
            {
                continue;
            }

            if (record.Outcome == RequestOutcomes.Accepted)
            {
                var reading = Reinterpretation.ReadAgain(adapter, record, account);
                readings[record.Id] = reading;
                if (reading is AdapterResult.Accepted accepted)
                {
                    wanted.UnionWith(accepted.Items.Select(i => StreamKeys.Message(record.Provider, i.MessageKey)));
                    if (includeKey is null)
                    {
                        wanted.UnionWith(accepted.ReplyItems.Select(r => StreamKeys.Reply(record.Provider, r.ReplyId)));
                    }
                }
            }
            else if (options.IncludeQuarantine && Reinterpretation.MayRescue(record))
            {
                wanted.Add(StreamKeys.Quarantine(record.Id));
            }
        }

        // The version each stream was read at (0: none yet): the writer appends only if they are still so.
        var versions = wanted.ToDictionary(key => key, _ => 0L, StringComparer.Ordinal);
        foreach (var (key, events) in await StreamEvents.ReadManyAsync(session, wanted, ct: ct))
        {
            streams[key] = [.. events.Select(e => e.Data)];
            versions[key] = events[^1].Version;
        }

        // A reply stream's latest readings, worked out once per stream however many requests pushed that reply.
        var replyReadings = new Dictionary<string, Dictionary<(Guid, int), ReplyReading>>(StringComparer.Ordinal);
        Dictionary<(Guid, int), ReplyReading>? LatestReplies(string streamKey)
        {
            if (!streams.TryGetValue(streamKey, out var events))
            {
                return null;
            }

            if (!replyReadings.TryGetValue(streamKey, out var latest))
            {
                replyReadings[streamKey] = latest = ItemHistory.LatestReplies(events);
            }

            return latest;
        }

        foreach (var record in records)
        {
            if (!InRange(options, record))
            {
                continue;
            }

            if (catalog.Find(record.Provider) is not { } adapter || accounts(record.Provider, record.Account) is not { } account)
            {
                continue; // unknown provider or account, then and now: nothing to read it with
            }

            if (record.Outcome == RequestOutcomes.Accepted)
            {
                scanned++;
                var reading = readings[record.Id];
                var changes = Reinterpretation.Compare(record, reading,
                    (key, requestId, index) => streams.TryGetValue(StreamKeys.Message(record.Provider, key), out var events)
                        ? ItemHistory.Latest(events).GetValueOrDefault((requestId, index))
                        : null,
                    includeKey);
                foreach (var change in changes)
                {
                    var apply = change.Kind == DifferenceKinds.Corrected && !options.DryRun;
                    differences.Add(Reinterpretation.Difference(job.Id, record, change, apply));
                    if (change.Kind == DifferenceKinds.Corrected)
                    {
                        corrected++;
                    }

                    if (apply)
                    {
                        appends.Add((record, new StreamAppend(StreamKeys.Message(record.Provider, change.MessageKey!),
                        [
                            new InterpretationCorrected(job.Id, record.Id, change.ItemIndex, change.Previous!, change.Corrected!, job.StartedBy, now),
                        ])));
                    }
                }

                if (includeKey is null && reading is AdapterResult.Accepted { ReplyItems.Count: > 0 } withReplies)
                {
                    var replyChanges = Reinterpretation.CompareReplies(withReplies, record.Id,
                        (replyId, requestId, index) => LatestReplies(StreamKeys.Reply(record.Provider, replyId))?.GetValueOrDefault((requestId, index)),
                        _unsubscribe);
                    foreach (var change in replyChanges)
                    {
                        var apply = change.Kind == DifferenceKinds.Corrected && !options.DryRun;
                        differences.Add(Reinterpretation.ReplyDifference(job.Id, record, change, apply));
                        if (change.Kind == DifferenceKinds.Corrected)
                        {
                            corrected++;
                        }

                        if (apply)
                        {
                            appends.Add((record, new StreamAppend(StreamKeys.Reply(record.Provider, change.ReplyId),
                            [
                                new ReplyCorrected(job.Id, record.Id, change.ItemIndex, change.Previous!, change.Corrected!, job.StartedBy, now),
                            ])));
                        }
                    }
                }
            }
            else if (options.IncludeQuarantine && Reinterpretation.MayRescue(record))
            {
                scanned++;
                var quarantine = streams.GetValueOrDefault(StreamKeys.Quarantine(record.Id)) ?? [];
                if (ItemHistory.AlreadyRescued(quarantine)
                    || Reinterpretation.ReadAgain(adapter, record, account) is not AdapterResult.Accepted reading
                    || (includeKey is not null && !reading.Items.Any(i => includeKey(i.MessageKey))))
                {
                    continue;
                }

                var refusal = refused.GetValueOrDefault(record.Id);
                var apply = !options.DryRun && refusal is null;
                var detail = refusal is null ? $"quarantined at receipt: {record.Reason}" : $"quarantined at receipt: {record.Reason}; not rescued: {refusal}";
                rescued += refusal is null ? 1 : 0;
                for (var i = 0; i < reading.Items.Count; i++)
                {
                    var item = reading.Items[i];
                    differences.Add(Reinterpretation.Difference(job.Id, record,
                        new ItemChange(DifferenceKinds.Rescued, item.MessageKey, i, null, item.Report, detail), applied: apply));
                }

                for (var i = 0; i < reading.ReplyItems.Count; i++)
                {
                    var reply = reading.ReplyItems[i];
                    differences.Add(Reinterpretation.ReplyDifference(job.Id, record,
                        new ReplyChange(DifferenceKinds.Rescued, reply.ReplyId, i, null, Reinterpretation.Reading(reply, _unsubscribe), detail),
                        applied: apply));
                }

                if (apply)
                {
                    appends.AddRange(Reinterpretation.Rescue(record, account.Name, reading, job.Id, job.StartedBy, now, _unsubscribe).Select(a => (record, a)));
                }
            }
        }

        var next = job with
        {
            Cursor = records[^1].Id,
            Scanned = job.Scanned + scanned,
            Corrected = job.Corrected + corrected,
            Rescued = job.Rescued + rescued,
            Differences = job.Differences + differences.Count,
            Sample = [.. job.Sample, .. differences.Take(Math.Max(0, ReplayJob.SampleSize - job.Sample.Count))],
            UpdatedAt = now,
        };
        // One write per request (its record is not stored again), in request order.
        var writes = appends.GroupBy(a => a.Record.Id)
            .Select(g => new IngestWrite(g.First().Record, [.. g.Select(a => a.Append)]) { KeepRecord = false })
            .ToList();
        await CommitChunkAsync(writes, versions, differences, next, ct);
        return (next, records.Count == job.ChunkSize);
    }

    /// <summary>
    /// The chunk's one transaction: its appends through the writer (locks, versions checked, archived streams
    /// restored, inline documents), whatever joins live ingest's commits (the webhook outbox: a correction that
    /// changes a status is sent to subscribers, marked as a correction), then its difference rows and the job
    /// through a Marten session on the same transaction; committed once all are written.
    /// </summary>
    private async Task CommitChunkAsync(IReadOnlyList<IngestWrite> writes, IReadOnlyDictionary<string, long> versions,
        IReadOnlyList<ReplayDifference> differences, ReplayJob job, CancellationToken ct)
    {
        await EnsureDocumentTablesAsync(ct);
        Func<Task>? afterCommit = null;
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (writes.Count > 0)
            {
                var committed = await appender.AppendAsync(connection, writes, withRecords: false, ct: ct, expectedVersions: versions);
                ThrowIfRefused(writes, committed.Writes);
                if (participant is not null)
                {
                    afterCommit = await participant.EnlistAsync(transaction, committed.Streams);
                }
            }

            await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, shouldAutoCommit: false)))
            {
                foreach (var difference in differences)
                {
                    session.Store(difference);
                }

                session.Store(job);
                await session.SaveChangesAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }

        if (afterCommit is not null)
        {
            await afterCommit();
        }
    }

    /// <summary>
    /// Marten creates a document's table before its first write, but not in a transaction it did not open:
    /// created here first, once (the job's table exists already, the differences' may not).
    /// </summary>
    private async Task EnsureDocumentTablesAsync(CancellationToken ct)
    {
        if (_documentTablesReady)
        {
            return;
        }

        await store.Storage.Database.EnsureStorageExistsAsync(typeof(ReplayDifference), ct);
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(ReplayJob), ct);
        _documentTablesReady = true;
    }

    /// <summary>The writer's admission changed a write (a rescue into another account's message): the chunk must not commit.</summary>
    private static void ThrowIfRefused(IReadOnlyList<IngestWrite> writes, IReadOnlyList<IngestWrite> committed)
    {
        Dictionary<Guid, string>? refused = null;
        for (var i = 0; i < writes.Count; i++)
        {
            if (!ReferenceEquals(writes[i], committed[i]))
            {
                var reasons = committed[i].Refusal is { } whole
                    ? [whole.Detail]
                    : committed[i].Record.RefusedItems.Except(writes[i].Record.RefusedItems).Select(r => r.Detail).Distinct().ToList();
                (refused ??= [])[writes[i].Record.Id] = string.Join("; ", reasons);
            }
        }

        if (refused is not null)
        {
            throw new RescueRefusedException(refused);
        }
    }

    private sealed class RescueRefusedException(IReadOnlyDictionary<Guid, string> refused) : Exception("The writer refused a rescue.")
    {
        public IReadOnlyDictionary<Guid, string> Refused { get; } = refused;
    }

    /// <summary>Outside the job's time range (a request of the same millisecond as a bound).</summary>
    private static bool InRange(ReplayOptions options, RawRequestRecord record) =>
        !((options.From is { } from && record.ReceivedAt < from) || (options.To is { } to && record.ReceivedAt >= to));

    /// <summary>The next chunk of raw requests after the cursor, in id (= receive time) order.</summary>
    private static async Task<IReadOnlyList<RawRequestRecord>> NextRecordsAsync(IQuerySession session, ReplayJob job, Guid[]? requestIds, CancellationToken ct)
    {
        var options = job.Options;
        var after = job.Cursor ?? Guid.Empty;
        var lower = options.From is { } from ? TimeOrderedFloor(from) : Guid.Empty;
        var upper = options.To is { } to ? TimeOrderedFloor(to.AddMilliseconds(1)) : new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff");
        var where = "where id > ? and id >= ? and id < ?";
        var parameters = new List<object> { after, lower, upper };
        if (options.Provider is { } provider)
        {
            where += " and data ->> 'Provider' = ?";
            parameters.Add(provider);
        }

        if (options.Account is { } account)
        {
            where += " and data ->> 'Account' = ?";
            parameters.Add(account);
        }

        if (requestIds is not null)
        {
            where += " and id = ANY(?)";
            parameters.Add(requestIds);
        }

        where += " order by id limit ?";
        parameters.Add(job.ChunkSize);
        return await session.QueryAsync<RawRequestRecord>(where, ct, [.. parameters]);
    }

    /// <summary>The smallest UUIDv7 of the millisecond of <paramref name="instant"/> (ids are `Guid.CreateVersion7(receivedAt)`).</summary>
    public static Guid TimeOrderedFloor(DateTimeOffset instant)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = Math.Max(0, instant.ToUnixTimeMilliseconds());
        Span<byte> eight = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(eight, ms);
        eight[2..].CopyTo(bytes);
        bytes[6] = 0x70;
        bytes[8] = 0x80;
        return new Guid(bytes, bigEndian: true);
    }

    private static bool IsConflict(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is StreamMovedException || x.GetType().Name is "ConcurrencyException" or "ExistingStreamIdCollisionException" or "EventStreamUnexpectedMaxEventIdException"
                || x is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.SerializationFailure or Npgsql.PostgresErrorCodes.DeadlockDetected })
            {
                return true;
            }
        }

        return false;
    }
}
