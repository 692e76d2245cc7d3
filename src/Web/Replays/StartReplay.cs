using Ledger.Web.Security;
using Ledger.Providers;
using Ledger.Replay;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Web.Replays;

/// <summary>`POST /replays` (docs/api.md): the body of the request.</summary>
public sealed record StartReplay(
    string? Provider,
    string? Account,
    DateTimeOffset? From,
    DateTimeOffset? To,
    IReadOnlyList<string>? MessageKeys,
    bool IncludeQuarantine,
    bool DryRun)
{
    public ReplayOptions ToOptions() => new()
    {
        Provider = Provider?.ToLowerInvariant(),
        Account = Account,
        From = From,
        To = To,
        MessageKeys = MessageKeys,
        IncludeQuarantine = IncludeQuarantine,
        DryRun = DryRun,
    };
}

/// <summary>Work for the `replays` durable local queue: run (or resume) a replay from its cursor.</summary>
public sealed record RunReplay(Guid ReplayId);

public static class StartReplayEndpoint
{
    /// <summary>
    /// Stores the job and queues its first run in one transaction (Wolverine's outbox), then answers
    /// 202 at once: the replay itself runs in the background, resumable (see RunReplayHandler).
    /// </summary>
    [RequiresRole(Roles.Admin)]
    [WolverinePost("/replays")]
    public static async Task<IResult> Post(StartReplay command, IDocumentSession session, IMessageBus bus, ProviderCatalog catalog,
        TimeProvider clock, HttpContext context)
    {
        var options = command.ToOptions();
        var problem = options.Problem()
            ?? (options.Provider is { } p && catalog.Find(p) is null
                ? $"No provider is called '{p}'. Known providers: {string.Join(", ", catalog.Names.Order())}."
                : null);
        if (problem is not null)
        {
            return Results.Problem(detail: problem, statusCode: 400, title: "invalid replay");
        }

        var job = ReplayJob.Queue(options, StartedBy(context), clock.GetUtcNow());
        session.Store(job);
        await bus.PublishAsync(new RunReplay(job.Id));
        var url = $"/replays/{job.Id}";
        return Results.Json(new { id = job.Id, state = job.State, url }, statusCode: 202, contentType: "application/json")
            .WithLocation(url, context);
    }

    /// <summary>
    /// Who started it, as the gate authenticated them: the API key's name, or `loopback` with no keys
    /// configured. Never a header: the job and every correction it appends carry this name as evidence.
    /// </summary>
    private static string StartedBy(HttpContext context) => context.Caller()?.Name ?? "api";

    private static IResult WithLocation(this IResult result, string url, HttpContext context)
    {
        context.Response.Headers.Location = url;
        return result;
    }
}
