using Ledger.Ingest;
using Ledger.Web.Security;
using Marten;
using Marten.Pagination;
using Wolverine.Http;

namespace Ledger.Web.Quarantine;

/// <summary>
/// One refused request, or an accepted batch with items refused one by one (<c>outcome</c> `accepted`, the
/// refused items listed); the whole raw request is at `GET /requests/{id}`.
/// </summary>
public sealed record QuarantinedRequestView(
    Guid RequestId,
    DateTimeOffset ReceivedAt,
    string Provider,
    string? Account,
    string Method,
    string Path,
    string? RemoteAddress,
    string? Reason,
    string Verification,
    string Outcome,
    IReadOnlyList<ItemRefusal> RefusedItems);

public static class ListQuarantineEndpoint
{
    /// <summary>Refused requests and partly refused batches, newest first: the raw records whose outcome is `quarantined` or that list refused items.</summary>
    [WolverineGet("/quarantine")]
    [RequiresRole(Roles.Admin)]
    public static async Task<IResult> Get(HttpContext context, IQuerySession session, CancellationToken ct)
    {
        if (!Query.TryInstant(context, "from", out var from, out var error)
            || !Query.TryInstant(context, "to", out var to, out error)
            || !Query.TryPage(context, 50, 500, out var number, out var size, out error))
        {
            return Problems.BadQuery(error!);
        }

        var query = session.Query<RawRequestRecord>().Where(r => r.Outcome == RequestOutcomes.Quarantined || r.RefusedItems.Any());
        if (Query.Text(context, "provider")?.ToLowerInvariant() is { } provider)
        {
            query = query.Where(r => r.Provider == provider);
        }

        if (Query.Text(context, "reason") is { } reason)
        {
            query = query.Where(r => r.Reason == reason || r.RefusedItems.Any(i => i.Reason == reason));
        }

        if (from is { } f)
        {
            query = query.Where(r => r.ReceivedAt >= f);
        }

        if (to is { } t)
        {
            query = query.Where(r => r.ReceivedAt < t);
        }

        var found = await query.OrderByDescending(r => r.ReceivedAt).ThenBy(r => r.Id).ToPagedListAsync(number, size, ct);
        return Results.Json(new ResultPage<QuarantinedRequestView>(number, size, found.TotalItemCount, [.. found.Select(r =>
            new QuarantinedRequestView(r.Id, r.ReceivedAt, r.Provider, r.Account, r.Method, r.Path, r.RemoteAddress, r.Reason, r.Verification, r.Outcome,
                r.RefusedItems))]));
    }
}
