using Ledger.Web.Pulls;

namespace Ledger.Tests.Pull;

/// <summary>The job's pure parts: back-off after throttled answers, and the `pull` command's options.</summary>
public sealed class pull_job_rules
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(8, 600)]
    [InlineData(40, 600)]
    public void the_back_off_doubles_for_each_throttled_answer_in_a_row_up_to_the_longest(int inARow, double seconds) =>
        PullJob.Backoff(inARow, null, First, Longest).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void a_retry_after_from_the_provider_is_honoured_but_never_beyond_the_longest_wait()
    {
        PullJob.Backoff(5, TimeSpan.FromSeconds(42), First, Longest).ShouldBe(TimeSpan.FromSeconds(42));
        PullJob.Backoff(1, TimeSpan.FromHours(3), First, Longest).ShouldBe(Longest);
    }

    [Fact]
    public void the_command_reads_the_same_options_as_the_endpoint()
    {
        PullCommand.TryParse(["--provider", "aliyun", "--account", "shop", "--from", "2026-11-25", "--to", "2026-11-26T08:00:00Z", "--message-key", "a:1,b:2", "--message-key", "c:3"],
            out var command, out var error).ShouldBeTrue(error);

        command.Provider.ShouldBe("aliyun");
        command.Account.ShouldBe("shop");
        command.From.ShouldBe(DateTimeOffset.Parse("2026-11-25T00:00:00Z"));
        command.To.ShouldBe(DateTimeOffset.Parse("2026-11-26T08:00:00Z"));
        command.MessageKeys.ShouldBe(["a:1", "b:2", "c:3"]);
    }

    [Fact]
    public void the_command_needs_a_provider_and_knows_its_options()
    {
        PullCommand.TryParse(["--account", "shop"], out _, out var missing).ShouldBeFalse();
        missing.ShouldBe("--provider is required");
        PullCommand.TryParse(["--provider", "aliyun", "--dry-run"], out _, out var unknown).ShouldBeFalse();
        unknown!.ShouldContain("--dry-run");
    }

    [Fact]
    public void a_job_asks_about_each_named_message_once_in_key_order()
    {
        var job = PullJob.Queue("aliyun", "shop", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), ["b:2", "a:1", "b:2"], "api", DateTimeOffset.UnixEpoch);

        job.MessageKeys.ShouldBe(["a:1", "b:2"]);
        job.State.ShouldBe(PullStates.Queued);
    }
}
