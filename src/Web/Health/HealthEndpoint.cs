using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Runtime;
using Wolverine.Http;

namespace Ledger.Web.Health;

public sealed record HealthView(string Status, string Database);

public sealed record ReadinessView(string Status, string Database, long? OutboxBacklog, long MaxOutboxBacklog);

/// <summary>`Ledger:Health`.</summary>
public sealed class HealthOptions
{
    /// <summary>Readiness fails when Wolverine's durable outbox holds more envelopes than this.</summary>
    public long MaxOutboxBacklog { get; set; } = 10_000;
}

/// <summary>
/// `/health` (database answers; unchanged), `/health/live` (the process serves requests; no I/O, so a
/// database outage never gets the process restarted) and `/health/ready` (database answers and the
/// outbox is not backed up: take this instance out of rotation, don't restart it).
/// </summary>
public static class HealthEndpoint
{
    /// <summary>200 only when the database answers.</summary>
    [WolverineGet("/health")]
    public static async Task<IResult> Get(IDocumentStore store, CancellationToken ct) =>
        await DatabaseAnswersAsync(store, ct)
            ? Results.Json(new HealthView("healthy", "up"))
            : Results.Json(new HealthView("unhealthy", "down"), statusCode: StatusCodes.Status503ServiceUnavailable);

    [WolverineGet("/health/live")]
    public static IResult Live() => Results.Json(new { status = "alive" });

    [WolverineGet("/health/ready")]
    public static async Task<IResult> Ready(IDocumentStore store, IWolverineRuntime runtime, IOptionsMonitor<HealthOptions> options, CancellationToken ct)
    {
        var max = options.CurrentValue.MaxOutboxBacklog;
        if (!await DatabaseAnswersAsync(store, ct))
        {
            return Results.Json(new ReadinessView("unhealthy", "down", null, max), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        long backlog;
        try
        {
            backlog = (await runtime.Storage.Admin.FetchCountsAsync()).Outgoing;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Results.Json(new ReadinessView("unhealthy", "up", null, max), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return backlog > max
            ? Results.Json(new ReadinessView("unhealthy", "up", backlog, max), statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new ReadinessView("healthy", "up", backlog, max));
    }

    private static async Task<bool> DatabaseAnswersAsync(IDocumentStore store, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", timeout.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
