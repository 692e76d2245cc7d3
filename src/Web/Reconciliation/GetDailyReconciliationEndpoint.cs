using Ledger.Web.Security;
using System.Globalization;
using System.Runtime.CompilerServices;
using Ledger.Projections;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Reconciliation;

/// <summary>`GET /reconciliation/daily?from=&amp;to=&amp;provider=&amp;account=&amp;asOf=&amp;format=csv`: totals per business day, provider and account.</summary>
public static class GetDailyReconciliationEndpoint
{
    /// <summary>"As of" re-aggregates events, so its range is kept shorter than the live one.</summary>
    public const int MaxAsOfDays = 92;

    private static readonly string[] Header =
    [
        "day", "provider", "account", "delivered", "failed", "pending", "unknown", "billedParts", "callbacks", "duplicates",
        "rejected", "corrected", "missingReports", "pulled", "resendCandidates",
    ];

    [RequiresRole(Roles.Finance)]
    [WolverineGet("/reconciliation/daily")]
    public static async Task<IResult> Get(HttpContext context, IDocumentStore store, ReconciliationSettings settings,
        MessageProjection projection, Pulls.PullOptions pull, TimeProvider clock, CancellationToken ct)
    {
        var (filter, problem) = ReconciliationFilter.Parse(context.Request);
        if (filter is null)
        {
            return problem!;
        }

        DateTimeOffset? asOf = null;
        var asOfText = context.Request.Query["asOf"].ToString();
        if (asOfText.Length > 0)
        {
            if (!DateTimeOffset.TryParse(asOfText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return ReconciliationFilter.BadRequest("`asOf` must be an ISO 8601 instant, e.g. 2026-12-01T00:00:00Z.");
            }

            if (filter.To.DayNumber - filter.From.DayNumber + 1 > MaxAsOfDays)
            {
                return ReconciliationFilter.BadRequest($"With `asOf`, at most {MaxAsOfDays} days per request.");
            }

            asOf = parsed.ToUniversalTime();
        }

        await using var session = store.QuerySession();
        var rows = asOf is { } instant
            ? await ReconciliationQueries.DailyAsOfAsync(session, filter, instant, settings.MissingReportAfter, pull.GiveUpAfter, projection, ct)
            : await ReconciliationQueries.DailyAsync(session, filter, clock.GetUtcNow(), settings.MissingReportAfter, pull.GiveUpAfter, ct);

        if (ReconciliationFilter.WantsCsv(context.Request))
        {
            return ReconciliationCsv.Stream($"reconciliation-daily-{filter.FromDay}-{filter.ToDay}.csv", Header, c => Lines(rows, c), ct);
        }

        return Results.Json(new
        {
            from = filter.FromDay,
            to = filter.ToDay,
            timeZone = settings.Zone.Id,
            asOf,
            missingReportAfterHours = settings.MissingReportAfter.TotalHours,
            rows,
        });
    }

    private static async IAsyncEnumerable<object?[]> Lines(IReadOnlyList<DailyTotals> rows, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var r in rows)
        {
            ct.ThrowIfCancellationRequested();
            yield return
            [
                r.Day, r.Provider, r.Account, r.Delivered, r.Failed, r.Pending, r.Unknown, r.BilledParts, r.Callbacks,
                r.Duplicates, r.Rejected, r.Corrected, r.MissingReports, r.Pulled, r.ResendCandidates,
            ];
        }

        await Task.CompletedTask;
    }
}
