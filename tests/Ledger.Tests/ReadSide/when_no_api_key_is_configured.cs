using System.Net;
using Alba;
using Ledger.Tests.Support;

namespace Ledger.Tests.ReadSide;

/// <summary>A host of its own (schema of its own) with no API keys: the read API serves loopback only.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_no_api_key_is_configured(LedgerFixture fixture)
{
    [Fact]
    public async Task the_read_api_answers_loopback_and_in_process_callers_and_refuses_others()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "k" + Guid.NewGuid().ToString("N")[..12]);
        var biz = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000601", true)))).Status.ShouldBe(200, "ingest is unaffected");
        var url = $"/messages/aliyun/{biz}:13800000601";

        // The test host's in-process requests come from 127.0.0.1 (LoopbackCaller); one without any address is refused
        // (Security/when_no_api_key_is_configured_only_this_machine_gets_in).
        (await host.GetRawAsync(url, apiKey: null)).Status.ShouldBe(200);

        await host.Scenario(x =>
        {
            x.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.IPv6Loopback);
            x.Get.Url(url);
            x.StatusCodeShouldBe(200);
        });

        var refused = await host.Scenario(x =>
        {
            x.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3"));
            x.Get.Url(url);
            x.StatusCodeShouldBe(403);
        });
        refused.ReadAsText().ShouldContain("loopback");
    }
}
