using Ledger.Storage;
using Ledger.Replay;

namespace Ledger.Web.Replays;

/// <summary>
/// Runs a replay from the `replays` durable local queue for a bounded time per message (chunks are
/// sized in requests, and a request may carry a hundred items, so a count of chunks is no bound on time),
/// then queues itself again. Each message stays far below Wolverine's handler timeout (which cancelled a
/// 20-chunk message over 100-report batches and parked the job), live ingest gets the database between
/// chunks, and after a crash or restart the durable inbox hands the message back and the job continues
/// from its committed cursor.
/// </summary>
public static class RunReplayHandler
{
    public static readonly TimeSpan TimePerMessage = TimeSpan.FromSeconds(10);

    [Wolverine.Attributes.MessageTimeout(300)]
    public static async Task<RunReplay?> Handle(RunReplay message, ReplayRunner runner, CancellationToken ct)
    {
        var job = await runner.RunAsync(message.ReplayId, maxChunks: null, ct, TimePerMessage);
        return job.Finished ? null : message;
    }
}
