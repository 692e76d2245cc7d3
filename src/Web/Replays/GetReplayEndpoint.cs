using Ledger.Web.Security;
using Ledger.Replay;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Replays;

/// <summary>`GET /replays/{id}` (CONTRACT.md).</summary>
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
    string DifferencesUrl)
{
    public static ReplayView From(ReplayJob job) => new(
        job.Id, job.State, job.DryRun, job.Scanned, job.Corrected, job.Rescued, job.Differences, job.Sample, job.Options,
        job.StartedBy, job.CreatedAt, job.StartedAt, job.CompletedAt, job.Error, $"/replays/{job.Id}/differences");
}

public static class GetReplayEndpoint
{
    [RequiresRole(Roles.Admin)]
    [WolverineGet("/replays/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var job = await session.LoadAsync<ReplayJob>(id, ct);
        return job is null ? Problems.NotFound($"No replay {id}.") : Results.Json(ReplayView.From(job));
    }
}
