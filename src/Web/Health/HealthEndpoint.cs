using Marten;
using Wolverine.Http;

namespace Ledger.Web.Health;

public sealed record HealthView(string Status, string Database);

public static class HealthEndpoint
{
    /// <summary>200 only when the database answers.</summary>
    [WolverineGet("/health")]
    public static async Task<IResult> Get(IDocumentStore store, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", timeout.Token);
            return Results.Json(new HealthView("healthy", "up"));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Results.Json(new HealthView("unhealthy", "down"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
