using Ledger.Web.Security;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Web.Pulls;

public static class StartPullEndpoint
{
    /// <summary>
    /// `POST /pulls` (admin): stores the job and queues its first run in one transaction (Wolverine's
    /// outbox), then answers 202 with its id at once; the job runs in the background.
    /// </summary>
    [RequiresRole(Roles.Admin)]
    [WolverinePost("/pulls")]
    public static async Task<IResult> Post(StartPull command, IDocumentSession session, IMessageBus bus, PullRunner runner, TimeProvider clock, HttpContext context)
    {
        var (job, problem) = Validate(command, runner, clock.GetUtcNow(), "api");
        if (job is null)
        {
            return Results.Problem(detail: problem, statusCode: 400, title: "invalid pull");
        }

        session.Store(job);
        await bus.PublishAsync(new RunPull(job.Id));
        var url = $"/pulls/{job.Id}";
        context.Response.Headers.Location = url;
        return Results.Json(new { id = job.Id, state = job.State, url }, statusCode: 202);
    }

    /// <summary>The job a request (or the CLI's options) asks for, or why it cannot run. Without `from`, the last day; without `to`, now.</summary>
    public static (PullJob? Job, string? Problem) Validate(StartPull command, PullRunner runner, DateTimeOffset now, string startedBy)
    {
        if (string.IsNullOrWhiteSpace(command.Provider))
        {
            return (null, "'provider' is required.");
        }

        var provider = command.Provider.Trim().ToLowerInvariant();
        var account = string.IsNullOrWhiteSpace(command.Account) ? "default" : command.Account.Trim();
        var from = command.From ?? now.AddDays(-1);
        var to = command.To ?? now;
        if (to <= from)
        {
            return (null, $"'to' ({to:O}) must be after 'from' ({from:O}).");
        }

        if (runner.Problem(provider, account) is { } problem)
        {
            return (null, problem);
        }

        var keys = command.MessageKeys?.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).ToList();
        return (PullJob.Queue(provider, account, from, to, keys, startedBy, now), null);
    }
}

public static class GetPullEndpoint
{
    /// <summary>`GET /pulls/{id}` (admin): where the job stands and what it found.</summary>
    [RequiresRole(Roles.Admin)]
    [WolverineGet("/pulls/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var job = await session.LoadAsync<PullJob>(id, ct);
        return job is null ? Problems.NotFound($"No pull {id}.") : Results.Json(PullView.Of(job));
    }
}
