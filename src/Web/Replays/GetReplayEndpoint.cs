using Ledger.Web.Security;
using Ledger.Replay;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Web.Replays;

/// <summary>`GET /replays/{id}` (docs/api.md).</summary>
public sealed record ReplayView(
    Guid Id,
    string State,
    bool DryRun,
    long Scanned,
    long Corrected,
    long Rescued,
    long Differences,
    IReadOnlyList<ReplayDifference> Sample,
    ReplayOptions Options,
    string StartedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? Error,
    string DifferencesUrl,
    DateTimeOffset? UpdatedAt,
    bool Stalled)
{
    /// <summary>
    /// A job's message runs for about ten seconds and commits its cursor after every chunk, so a
    /// queued or running job not updated for this long has lost its message (e.g. Wolverine parked it
    /// after the database was gone for longer than its retries): `POST /replays/{id}/resume` continues it.
    /// </summary>
    public static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(5);

    public static ReplayView From(ReplayJob job, DateTimeOffset now) => new(
        job.Id, job.State, job.DryRun, job.Scanned, job.Corrected, job.Rescued, job.Differences, job.Sample, job.Options,
        job.StartedBy, job.CreatedAt, job.StartedAt, job.CompletedAt, job.Error, $"/replays/{job.Id}/differences",
        job.UpdatedAt, !job.Finished && (job.UpdatedAt ?? job.CreatedAt) + StalledAfter < now);
}

public static class GetReplayEndpoint
{
    [RequiresRole(Roles.Admin)]
    [WolverineGet("/replays/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var job = await session.LoadAsync<ReplayJob>(id, ct);
        return job is null ? Problems.NotFound($"No replay {id}.") : Results.Json(ReplayView.From(job, clock.GetUtcNow()));
    }
}

public static class ResumeReplayEndpoint
{
    /// <summary>
    /// Queues the job's run again; it continues from its committed cursor. Safe whenever the job is not
    /// finished: the `replays` queue runs one message at a time, and a chunk run twice appends nothing the
    /// second time, so a resume beside a still-living message only costs a check. 409 when finished.
    /// </summary>
    [RequiresRole(Roles.Admin)]
    [WolverinePost("/replays/{id}/resume")]
    public static async Task<IResult> Post(Guid id, IQuerySession session, IMessageBus bus, CancellationToken ct)
    {
        var job = await session.LoadAsync<ReplayJob>(id, ct);
        if (job is null)
        {
            return Problems.NotFound($"No replay {id}.");
        }

        if (job.Finished)
        {
            return Results.Problem(detail: $"Replay {id} is {job.State}; start a new one with POST /replays.", statusCode: 409, title: "replay finished");
        }

        await bus.PublishAsync(new RunReplay(job.Id));
        return Results.Json(new { id = job.Id, state = job.State, url = $"/replays/{job.Id}" }, statusCode: 202);
    }
}
