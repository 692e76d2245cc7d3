using Ledger.Tests.Pull.Fakes;
using Ledger.Tests.Reconciliation;
using Ledger.Tests.Support;

namespace Ledger.Tests.Pull;

/// <summary>Throttling answers back off, and the job continues after a restart (a second host on the same schema).</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_pull_is_throttled(LedgerFixture fixture) : IAsyncLifetime
{
    private PullHost _pull = null!;

    public async Task InitializeAsync() => _pull = await PullHost.StartAsync(fixture);

    public async Task DisposeAsync() => await _pull.DisposeAsync();

    [Fact]
    public async Task it_backs_off_and_resumes_on_the_next_instance()
    {
        var sentAt = PullHost.Now().AddHours(-2);
        var (biz, phone) = (Payloads.NewId(), "13900004001");
        await _pull.Host.RegisterAsync(Finance.Sent("aliyun", $"{biz}:{phone}", sentAt.ToString("O"), phone: phone));
        _pull.Aliyun.Throttle = true;
        _pull.Aliyun.Override = request => new FakeReply(200, PullHost.AliyunAnswer(phone, 3, "DELIVERED", PullHost.Beijing(sentAt.AddMinutes(1))));

        var id = await _pull.StartPullAsync(new { provider = "aliyun", account = "default", from = sentAt.AddHours(-1), to = PullHost.Now() });
        var started = DateTime.UtcNow;
        var waiting = await PullHost.WaitForPullAsync(_pull.Host, id, j => j.GetProperty("throttled").GetInt32() >= 2);
        var elapsed = DateTime.UtcNow - started;

        waiting.GetProperty("state").GetString().ShouldBe("waiting");
        waiting.GetProperty("lastError").GetString()!.ShouldContain("Throttling.User");
        // Back-off of 1 s, then 2 s: two throttled answers take at least a second, and nobody asked in between.
        elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(0.9));
        _pull.Aliyun.Exchanges.Count.ShouldBeLessThanOrEqualTo(3);

        // The instance goes away while the job waits out its back-off; the next one takes the job over.
        await _pull.RestartAsync(() => _pull.Aliyun.Throttle = false);
        var next = _pull.Host;

        var done = await PullHost.WaitForPullAsync(next, id, PullHost.Finished, seconds: 60);
        done.GetProperty("state").GetString().ShouldBe("completed", done.ToString());
        done.GetProperty("appended").GetInt32().ShouldBe(1);
        var (_, status) = await next.GetJsonAsync($"/messages/aliyun/{biz}:{phone}");
        status.GetProperty("status").GetString().ShouldBe("delivered");
    }
}
