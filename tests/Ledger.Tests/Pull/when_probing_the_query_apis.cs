using Ledger.Tests.Support;
using Ledger.Web.Pulls;

namespace Ledger.Tests.Pull;

/// <summary>`pull --probe`: one call per account with Pull settings, proving endpoint, credentials and signature.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_probing_the_query_apis(LedgerFixture fixture) : IAsyncLifetime
{
    private PullHost _pull = null!;

    public async Task InitializeAsync() => _pull = await PullHost.StartAsync(fixture);

    public async Task DisposeAsync() => await _pull.DisposeAsync();

    [Fact]
    public async Task right_credentials_pass_with_one_call_and_a_refused_secret_fails_the_probe()
    {
        (await PullCommand.ProbeAsync(_pull.Host.Services, "aliyun", "default")).ShouldBe(0);
        _pull.Aliyun.Exchanges.Count.ShouldBe(1);

        (await PullCommand.ProbeAsync(_pull.Host.Services, "aliyun", "wrong")).ShouldBe(1);
        _pull.Aliyun.Exchanges.Count.ShouldBe(2);

        (await PullCommand.ProbeAsync(_pull.Host.Services, "tencent", null)).ShouldBe(0);
        _pull.Tencent.Exchanges.Count.ShouldBe(1);

        // Nothing configured to probe is a failure too, not a silent success.
        (await PullCommand.ProbeAsync(_pull.Host.Services, "huawei", null)).ShouldBe(1);
    }
}
