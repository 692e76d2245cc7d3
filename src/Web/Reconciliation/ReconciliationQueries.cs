using System.Text;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Storage;
using Marten;
using Marten.Events.Archiving;

namespace Ledger.Web.Reconciliation;

/// <summary>One row of the daily totals (docs/api.md `GET /reconciliation/daily`).</summary>
public sealed record DailyTotals
{
    public string Day { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Account { get; init; } = "";
    // 64-bit throughout: a day of one account can hold more than 2^31 billed parts or callbacks summed
    // (PostgreSQL's sum and count of it are bigint), and the "as of" path adds in C# what SQL sums live.
    public long Delivered { get; init; }
    public long Failed { get; init; }
    public long Pending { get; init; }
    public long Unknown { get; init; }
    public long BilledParts { get; init; }
    public long Callbacks { get; init; }
    public long Duplicates { get; init; }
    public long Rejected { get; init; }

    /// <summary>Messages changed by replays (`InterpretationCorrected`); 0 until replays land.</summary>
    public long Corrected { get; init; }

    /// <summary>Registered as sent, no final report, older than `MissingReportAfterHours` (a subset of `pending`/`unknown`).</summary>
    public long MissingReports { get; init; }

    /// <summary>Reports fetched from the providers' query APIs (duplicates included, as `callbacks` counts reports).</summary>
    public int Pulled { get; init; }

    /// <summary>Messages worth sending again now (Resend.ResendRules: retryable failures, reports still missing after pulling).</summary>
    public int ResendCandidates { get; init; }

    public DailyTotals Add(Message m, DateTimeOffset now, TimeSpan wait, int giveUpAfter) => this with
    {
        Pulled = Pulled + m.PulledCount,
        ResendCandidates = ResendCandidates + (Resend.ResendRules.IsCandidate(m, now, wait, giveUpAfter) ? 1 : 0),
        Delivered = Delivered + (m.Status == DeliveryStatus.Delivered ? 1 : 0),
        Failed = Failed + (m.Status == DeliveryStatus.Failed ? 1 : 0),
        Pending = Pending + (m.Status == DeliveryStatus.Pending ? 1 : 0),
        Unknown = Unknown + (m.Status == DeliveryStatus.Unknown ? 1 : 0),
        BilledParts = BilledParts + (m.BilledParts ?? 0),
        Callbacks = Callbacks + m.CallbackCount,
        Duplicates = Duplicates + m.DuplicateCount,
        Corrected = Corrected + m.CorrectedCount,
        MissingReports = MissingReports + (m.IsMissingReport(now, wait) ? 1 : 0),
    };
}

/// <summary>
/// Reads of the reconciliation rows. Daily totals are one GROUP BY over the per-message rows of the
/// requested days (index on day, provider, account) plus one over the quarantined requests of those
/// days; nothing reads raw events, except "as of" (see <see cref="DailyAsOfAsync"/>).
/// </summary>
public static class ReconciliationQueries
{
    public static string MessagesTable(IQuerySession session) => $"{session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_message";

    public static string RejectedTable(IQuerySession session) => $"{session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_rejected_request";

    private static async Task EnsureTablesAsync(IQuerySession session, CancellationToken ct)
    {
        await session.DocumentStore.Storage.Database.EnsureStorageExistsAsync(typeof(Message), ct);
        await session.DocumentStore.Storage.Database.EnsureStorageExistsAsync(typeof(RejectedRequest), ct);
    }

    /// <summary>The filter as SQL conditions on the duplicated columns, with its parameters.</summary>
    private static string Where(ReconciliationFilter filter, List<object> parameters)
    {
        var sql = new StringBuilder("day >= ? and day <= ?");
        parameters.Add(filter.FromDay);
        parameters.Add(filter.ToDay);
        if (filter.Provider is not null)
        {
            sql.Append(" and provider = ?");
            parameters.Add(filter.Provider);
        }

        if (filter.Account is not null)
        {
            sql.Append(" and account = ?");
            parameters.Add(filter.Account);
        }

        return sql.ToString();
    }

    /// <summary>Daily totals now. `now` decides which sent messages have waited too long for their report.</summary>
    public static async Task<IReadOnlyList<DailyTotals>> DailyAsync(IQuerySession session, ReconciliationFilter filter, DateTimeOffset now, TimeSpan wait,
        int giveUpAfter, CancellationToken ct)
    {
        await EnsureTablesAsync(session, ct);
        var parameters = new List<object> { (now - wait).ToUniversalTime() };
        parameters.AddRange(Resend.ResendRules.Parameters(now, wait, giveUpAfter));
        var where = Where(filter, parameters);
        var messages = await session.AdvancedSql.QueryAsync<DailyTotals>($"""
            select jsonb_build_object(
              'Day', day, 'Provider', provider, 'Account', account,
              'Delivered', count(*) filter (where data->>'Status' = 'Delivered'),
              'Failed', count(*) filter (where data->>'Status' = 'Failed'),
              'Pending', count(*) filter (where data->>'Status' = 'Pending'),
              'Unknown', count(*) filter (where data->>'Status' = 'Unknown'),
              'BilledParts', coalesce(sum((data->>'BilledParts')::bigint), 0),
              'Callbacks', coalesce(sum((data->>'CallbackCount')::bigint), 0),
              'Duplicates', coalesce(sum((data->>'DuplicateCount')::bigint), 0),
              'Corrected', coalesce(sum((data->>'CorrectedCount')::bigint), 0),
              'MissingReports', count(*) filter (where data->>'SentAt' is not null and not (data->>'Final')::boolean
                                                 and (data->>'SentAt')::timestamptz <= ?),
              'ResendCandidates', count(*) filter (where {Resend.ResendRules.Sql}),
              'Pulled', coalesce(sum((data->>'PulledCount')::int), 0))
            from {MessagesTable(session)}
            where {where}
            group by day, provider, account
            """, ct, parameters.ToArray());

        var rejected = await RejectedAsync(session, filter, asOf: null, ct);
        return Merge(messages, rejected);
    }

    /// <summary>
    /// Daily totals as they stood at <paramref name="asOf"/>: the candidate messages (every message whose
    /// rows ever counted on a day in the range) are re-aggregated from their events up to that instant
    /// with the projection's own code, in chunks. Cost grows with the messages of the range (one events
    /// read per 500 messages), so it is meant for bounded ranges; the live totals stay a GROUP BY.
    /// </summary>
    public static async Task<IReadOnlyList<DailyTotals>> DailyAsOfAsync(IQuerySession session, ReconciliationFilter filter, DateTimeOffset asOf,
        TimeSpan wait, int giveUpAfter, MessageProjection projection, CancellationToken ct)
    {
        await EnsureTablesAsync(session, ct);
        var parameters = new List<object> { filter.ToDay, filter.FromDay };
        var sql = new StringBuilder($"select id from {MessagesTable(session)} where coalesce(data->>'EarliestDay', day) <= ? and coalesce(data->>'LatestDay', day) >= ?");
        if (filter.Provider is not null)
        {
            sql.Append(" and provider = ?");
            parameters.Add(filter.Provider);
        }

        var ids = await session.AdvancedSql.QueryAsync<string>(sql.ToString(), ct, parameters.ToArray());
        var totals = new Dictionary<(string, string, string), DailyTotals>();
        foreach (var chunk in ids.Chunk(500))
        {
            // Archived events included: retention archives old messages.
            foreach (var stream in await StreamEvents.ReadManyAsync(session, chunk, asOf, ct))
            {
                if (projection.Fold(stream.Key, stream.Value.Select(e => e.Data)) is not { } row
                    || string.CompareOrdinal(row.Day, filter.FromDay) < 0 || string.CompareOrdinal(row.Day, filter.ToDay) > 0
                    || (filter.Provider is not null && row.Provider != filter.Provider)
                    || (filter.Account is not null && row.Account != filter.Account))
                {
                    continue;
                }

                var key = (row.Day, row.Provider, row.Account);
                var current = totals.GetValueOrDefault(key) ?? new DailyTotals { Day = row.Day, Provider = row.Provider, Account = row.Account };
                totals[key] = current.Add(row, asOf, wait, giveUpAfter);
            }
        }

        var rejected = await RejectedAsync(session, filter, asOf, ct);
        return Merge(totals.Values.ToList(), rejected);
    }

    private static async Task<IReadOnlyList<DailyTotals>> RejectedAsync(IQuerySession session, ReconciliationFilter filter, DateTimeOffset? asOf, CancellationToken ct)
    {
        var parameters = new List<object>();
        var where = Where(filter, parameters);
        if (asOf is { } instant)
        {
            where += " and (data->>'ReceivedAt')::timestamptz <= ?";
            parameters.Add(instant.ToUniversalTime());
        }

        return await session.AdvancedSql.QueryAsync<DailyTotals>($"""
            select jsonb_build_object('Day', day, 'Provider', provider, 'Account', account, 'Rejected', count(*))
            from {RejectedTable(session)}
            where {where}
            group by day, provider, account
            """, ct, parameters.ToArray());
    }

    private static IReadOnlyList<DailyTotals> Merge(IReadOnlyList<DailyTotals> messages, IReadOnlyList<DailyTotals> rejected)
    {
        var merged = messages.ToDictionary(m => (m.Day, m.Provider, m.Account));
        foreach (var r in rejected)
        {
            var key = (r.Day, r.Provider, r.Account);
            merged[key] = merged.TryGetValue(key, out var m) ? m with { Rejected = r.Rejected } : r;
        }

        return merged.Values
            .OrderBy(t => t.Day, StringComparer.Ordinal)
            .ThenBy(t => t.Provider, StringComparer.Ordinal)
            .ThenBy(t => t.Account, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The per-message rows' SQL condition for the filter and an optional status (or `missing`).</summary>
    public static (string Where, object[] Parameters) MessageConditions(ReconciliationFilter filter, string? status, DateTimeOffset now, TimeSpan wait)
    {
        var parameters = new List<object>();
        var where = Where(filter, parameters);
        if (status == "missing")
        {
            where += " and data->>'SentAt' is not null and not (data->>'Final')::boolean and (data->>'SentAt')::timestamptz <= ?";
            parameters.Add((now - wait).ToUniversalTime());
        }
        else if (status is not null)
        {
            where += " and data->>'Status' = ?";
            parameters.Add(Enum.Parse<DeliveryStatus>(status, ignoreCase: true).ToString());
        }

        return (where, parameters.ToArray());
    }

    public static async Task<(long Total, IReadOnlyList<Message> Rows)> MessagesPageAsync(IQuerySession session, ReconciliationFilter filter,
        string? status, DateTimeOffset now, TimeSpan wait, int page, int pageSize, CancellationToken ct)
    {
        await EnsureTablesAsync(session, ct);
        var (where, parameters) = MessageConditions(filter, status, now, wait);
        var total = (await session.AdvancedSql.QueryAsync<long>($"select count(*) from {MessagesTable(session)} where {where}", ct, parameters)).Single();
        var rows = await session.QueryAsync<Message>($"where {where} order by day, provider, account, id limit ? offset ?", ct,
            [.. parameters, pageSize, (page - 1) * pageSize]);
        return (total, rows);
    }

    /// <summary>Every matching row, read from the database one at a time (for CSV export: nothing is held in memory).</summary>
    public static async IAsyncEnumerable<Message> StreamMessagesAsync(IQuerySession session, ReconciliationFilter filter, string? status,
        DateTimeOffset now, TimeSpan wait, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await EnsureTablesAsync(session, ct);
        var (where, parameters) = MessageConditions(filter, status, now, wait);
        await foreach (var json in session.AdvancedSql.StreamAsync<string>(
                           $"select data::text from {MessagesTable(session)} where {where} order by day, provider, account, id", ct, parameters))
        {
            yield return session.DocumentStore.Options.Serializer().FromJson<Message>(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        }
    }
}
