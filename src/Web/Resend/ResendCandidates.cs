using System.Runtime.CompilerServices;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Pulls;
using Ledger.Web.Reconciliation;
using Ledger.Web.Security;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Resend;

/// <summary>One message worth sending again (docs/api.md `GET /resend-candidates`).</summary>
public sealed record ResendCandidate(string Provider, string Account, string MessageKey, string Status, string? Category, string Reason, DateTimeOffset? Since);

/// <summary>
/// docs/rules.md rule 10: resend candidates are retryable failures and reports still missing after pulling,
/// never a delivered message, never a permanent failure. "Still missing after pulling" (the pull gave up):
/// a registered message with no final report that `Ledger:Pull:GiveUpAfter` pulls found nothing final for,
/// or whose missing-report wait (`Ledger:Reconciliation:MissingReportAfterHours`) has passed, by which time
/// the sweep had its chances, or the message cannot be pulled at all (a provider without a query API, an
/// account without pull credentials, a message outside the query window). The one definition, in SQL for
/// the list and the daily counts and in C# for "as of" totals.
/// </summary>
public static class ResendRules
{
    /// <summary>The SQL condition on a `mt_doc_message` row; its parameters are <see cref="Parameters"/>, in order.</summary>
    public const string Sql = """
        (((data->>'Final')::boolean and data->>'Status' = 'Failed' and coalesce((data->>'Retryable')::boolean, false))
         or (data->>'SentAt' is not null and not coalesce((data->>'Final')::boolean, false)
             and (coalesce((data->>'PullsWithoutReport')::int, 0) >= ? or (data->>'SentAt')::timestamptz <= ?)))
        """;

    public static object[] Parameters(DateTimeOffset now, TimeSpan missingWait, int giveUpAfter) =>
        [Math.Max(1, giveUpAfter), (now - missingWait).ToUniversalTime()];

    public static bool IsCandidate(Message m, DateTimeOffset now, TimeSpan missingWait, int giveUpAfter) =>
        (m.Final && m.Status == DeliveryStatus.Failed && m.Retryable == true)
        || (m.SentAt is { } sent && !m.Final && (m.PullsWithoutReport >= Math.Max(1, giveUpAfter) || sent + missingWait <= now));
}

public static class ResendCandidatesEndpoint
{
    private static readonly string[] Header = ["provider", "account", "messageKey", "status", "category", "reason", "since"];

    /// <summary>
    /// `GET /resend-candidates?from=&amp;to=&amp;provider=&amp;account=&amp;format=csv` (support): the candidates among the
    /// messages of those business days (the reconciliation's days), oldest day first.
    /// </summary>
    [RequiresRole(Roles.Support)]
    [WolverineGet("/resend-candidates")]
    public static async Task<IResult> Get(HttpContext context, IQuerySession session, ReconciliationSettings settings, PullOptions pull,
        TimeProvider clock, CancellationToken ct)
    {
        var (filter, problem) = ReconciliationFilter.Parse(context.Request);
        if (filter is null)
        {
            return problem!;
        }

        var rows = await ListAsync(session, filter, clock.GetUtcNow(), settings.MissingReportAfter, pull.GiveUpAfter, ct);
        if (context.Caller()?.IsAdmin != true)
        {
            // The phone inside an Alibaba key masked, as everywhere support reads; the masked key still opens the message.
            rows = [.. rows.Select(r => r with { MessageKey = Ledger.Web.Messages.PhoneMask.Key(r.Provider, r.MessageKey) })];
        }

        if (ReconciliationFilter.WantsCsv(context.Request))
        {
            return ReconciliationCsv.Stream($"resend-candidates-{filter.FromDay}-{filter.ToDay}.csv", Header, c => Lines(rows, c), ct);
        }

        return Results.Json(new { from = filter.FromDay, to = filter.ToDay, rows });
    }

    public static async Task<IReadOnlyList<ResendCandidate>> ListAsync(IQuerySession session, ReconciliationFilter filter, DateTimeOffset now,
        TimeSpan missingWait, int giveUpAfter, CancellationToken ct)
    {
        await session.DocumentStore.Storage.Database.EnsureStorageExistsAsync(typeof(Message), ct);
        var parameters = new List<object> { filter.FromDay, filter.ToDay };
        var where = "day >= ? and day <= ?";
        if (filter.Provider is not null)
        {
            where += " and provider = ?";
            parameters.Add(filter.Provider);
        }

        if (filter.Account is not null)
        {
            where += " and account = ?";
            parameters.Add(filter.Account);
        }

        parameters.AddRange(ResendRules.Parameters(now, missingWait, giveUpAfter));
        var rows = await session.AdvancedSql.QueryAsync<Row>($"""
            select jsonb_build_object('Provider', provider, 'Account', account, 'MessageKey', substr(id, length(provider) + 2),
              'Status', data->>'Status', 'Final', data->'Final', 'Category', data->>'Category',
              'ErrorCode', coalesce(data->'Entries'->((data->>'AppliedEntry')::int)->>'ErrorCode', data->>'ErrorCode'),
              'ReportedAt', coalesce(data->'Entries'->((data->>'AppliedEntry')::int)->'ProviderTime'->'Utc', data->'ReportedAt'), 'LastReceivedAt', coalesce(data->'LastReceivedAt', data->'FirstReceivedAt'), 'SentAt', data->'SentAt',
              'PullsWithoutReport', coalesce((data->>'PullsWithoutReport')::int, 0), 'LastPulledAt', data->'LastPulledAt')
            from {ReconciliationQueries.MessagesTable(session)}
            where {where} and {ResendRules.Sql}
            order by day, provider, account, id collate "C"
            """, ct, parameters.ToArray());
        return [.. rows.Select(r => r.Candidate(missingWait, giveUpAfter))];
    }

    /// <summary>The fields a candidate is described from, as one jsonb object per row.</summary>
    private sealed record Row(string Provider, string Account, string MessageKey, string Status, bool Final, string? Category, string? ErrorCode,
        DateTimeOffset? ReportedAt, DateTimeOffset? LastReceivedAt, DateTimeOffset? SentAt, int PullsWithoutReport, DateTimeOffset? LastPulledAt)
    {
        public ResendCandidate Candidate(TimeSpan missingWait, int giveUpAfter)
        {
            var status = Status.ToLowerInvariant();
            if (Final)
            {
                return new ResendCandidate(Provider, Account, MessageKey, status, Category,
                    $"retryable failure: {Category}{(ErrorCode is null ? "" : $" ({ErrorCode})")}", ReportedAt ?? LastReceivedAt);
            }

            return PullsWithoutReport >= Math.Max(1, giveUpAfter)
                ? new ResendCandidate(Provider, Account, MessageKey, status, Category,
                    $"no final report: {PullsWithoutReport} pull(s) found none", LastPulledAt)
                : new ResendCandidate(Provider, Account, MessageKey, status, Category,
                    $"no final report {missingWait.TotalHours:0.#} h after sending{(PullsWithoutReport > 0 ? $" ({PullsWithoutReport} pull(s) found none)" : "; not pulled")}",
                    SentAt + missingWait);
        }
    }

    private static async IAsyncEnumerable<string?[]> Lines(IReadOnlyList<ResendCandidate> rows, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var r in rows)
        {
            ct.ThrowIfCancellationRequested();
            yield return [r.Provider, r.Account, r.MessageKey, r.Status, r.Category, r.Reason, ReconciliationCsv.Instant(r.Since)];
        }

        await Task.CompletedTask;
    }
}
