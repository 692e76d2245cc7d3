using Ledger.Web.Security;
using System.Runtime.CompilerServices;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Messages;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Reconciliation;

/// <summary>One message as finance sees it (phone masked).</summary>
public sealed record ReconciliationMessageView(
    string Day,
    string Provider,
    string Account,
    string MessageKey,
    string Status,
    bool Final,
    bool MissingReport,
    DateTimeOffset? SentAt,
    DateTimeOffset? ReportedAt,
    DateTimeOffset? FirstReceivedAt,
    string? Phone,
    string? OutId,
    int? BilledParts,
    int Callbacks,
    int Duplicates,
    int Corrected,
    FailureCategory? Category,
    bool? Retryable)
{
    public static ReconciliationMessageView From(Message m, DateTimeOffset now, TimeSpan wait) => new(
        m.Day, m.Provider, m.Account, PhoneMask.Key(m.Provider, m.MessageKey), ReconciliationFilter.StatusName(m.Status), m.Final, m.IsMissingReport(now, wait),
        m.SentAt, m.ReportedAt, m.FirstReceivedAt == default ? null : m.FirstReceivedAt, PhoneMask.Mask(m.Phone), m.OutId, m.BilledParts, m.CallbackCount, m.DuplicateCount, m.CorrectedCount,
        m.Category, m.Retryable);
}

/// <summary>`GET /reconciliation/messages?from=&amp;to=&amp;provider=&amp;account=&amp;status=&amp;page=&amp;pageSize=&amp;format=csv`.</summary>
public static class GetReconciliationMessagesEndpoint
{
    public const int MaxPageSize = 1000;

    private static readonly string[] Statuses = ["delivered", "failed", "pending", "unknown", "missing"];

    private static readonly string[] Header =
    [
        "day", "provider", "account", "messageKey", "status", "final", "missingReport", "sentAt", "reportedAt", "firstReceivedAt",
        "phone", "outId", "billedParts", "callbacks", "duplicates", "corrected", "category", "retryable",
    ];

    [RequiresRole(Roles.Finance)]
    [WolverineGet("/reconciliation/messages")]
    public static async Task<IResult> Get(HttpContext context, IDocumentStore store, ReconciliationSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var (filter, problem) = ReconciliationFilter.Parse(context.Request);
        if (filter is null)
        {
            return problem!;
        }

        var query = context.Request.Query;
        var status = string.IsNullOrWhiteSpace(query["status"]) ? null : query["status"].ToString().Trim().ToLowerInvariant();
        if (status is not null && !Statuses.Contains(status))
        {
            return ReconciliationFilter.BadRequest($"`status` is one of {string.Join(", ", Statuses)}.");
        }

        var now = clock.GetUtcNow();
        var wait = settings.MissingReportAfter;
        if (ReconciliationFilter.WantsCsv(context.Request))
        {
            return ReconciliationCsv.Stream($"reconciliation-messages-{filter.FromDay}-{filter.ToDay}.csv", Header,
                c => Lines(store, filter, status, now, wait, c), ct);
        }

        if (!Query.TryPage(context, 100, MaxPageSize, out var page, out var pageSize, out var error))
        {
            return ReconciliationFilter.BadRequest(error!);
        }

        await using var session = store.QuerySession();
        var (total, rows) = await ReconciliationQueries.MessagesPageAsync(session, filter, status, now, wait, page, pageSize, ct);
        return Results.Json(new
        {
            from = filter.FromDay,
            to = filter.ToDay,
            page,
            pageSize,
            total,
            rows = rows.Select(r => ReconciliationMessageView.From(r, now, wait)),
        });
    }

    private static async IAsyncEnumerable<object?[]> Lines(IDocumentStore store, ReconciliationFilter filter, string? status, DateTimeOffset now,
        TimeSpan wait, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var session = store.QuerySession();
        await foreach (var m in ReconciliationQueries.StreamMessagesAsync(session, filter, status, now, wait, ct))
        {
            var v = ReconciliationMessageView.From(m, now, wait);
            yield return
            [
                v.Day, v.Provider, v.Account, v.MessageKey, v.Status, v.Final ? "true" : "false", v.MissingReport ? "true" : "false",
                ReconciliationCsv.Instant(v.SentAt), ReconciliationCsv.Instant(v.ReportedAt), ReconciliationCsv.Instant(v.FirstReceivedAt),
                v.Phone, v.OutId, v.BilledParts, v.Callbacks, v.Duplicates, v.Corrected,
                v.Category is { } category ? System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(category.ToString()) : null,
                v.Retryable is { } retryable ? (retryable ? "true" : "false") : null,
            ];
        }
    }
}
