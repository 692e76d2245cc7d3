using Ledger.Replay;

namespace Ledger.Web.Replays;

/// <summary>
/// Runs a replay from the `replays` durable local queue, a bounded number of chunks per message, then
/// queues itself again. Each message is short (live ingest gets the database between them, and no
/// handler timeout is near), and after a crash or restart the durable inbox hands the message back and
/// the job continues from its committed cursor.
/// </summary>
public static class RunReplayHandler
{
    public const int ChunksPerMessage = 20;

    public static async Task<RunReplay?> Handle(RunReplay message, ReplayRunner runner, CancellationToken ct)
    {
        var job = await runner.RunAsync(message.ReplayId, ChunksPerMessage, ct);
        return job.Finished ? null : message;
    }
}
