using Wolverine;

namespace Ledger.Web.Pulls;

/// <summary>
/// Runs a pull job from the `pulls` durable local queue for about ten seconds per message, then queues
/// itself again (as replays do: live work gets the queue between slices, and the durable inbox hands the
/// message back after a crash or restart, so the job continues after its saved cursor). A throttled job
/// is not waited for on a thread: its next run is a scheduled message, stored in the same inbox.
/// </summary>
public static class RunPullHandler
{
    public static readonly TimeSpan TimePerMessage = TimeSpan.FromSeconds(10);

    [Wolverine.Attributes.MessageTimeout(300)]
    public static async Task<OutgoingMessages> Handle(RunPull message, PullRunner runner, CancellationToken ct)
    {
        var (job, wait) = await runner.RunAsync(message.PullId, ct, TimePerMessage);
        var next = new OutgoingMessages();
        if (job.Finished)
        {
            return next;
        }

        if (wait is { } delay)
        {
            next.Delay(message, delay);
        }
        else
        {
            next.Add(message);
        }

        return next;
    }
}
