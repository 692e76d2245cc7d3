using Ledger.Storage;
using Alba;
using Ledger.Providers;
using Ledger.Replay;
using Ledger.Tests.Replay;
using Ledger.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Webhooks;

[Collection(LedgerCollection.Name)]
public sealed class when_a_replay_corrects_a_status(LedgerFixture fixture)
{
    [Fact]
    public async Task subscribers_get_the_change_marked_as_a_correction()
    {
        await using var server = await SubscriberServer.StartAsync();
        var adapter = new BuggyTestAdapter { Version = 1 };
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        await using var host = await AlbaHost.For<Program>(web =>
        {
            web.WithLoopbackCaller();
            web.UseSetting("ConnectionStrings:Ledger", fixture.ConnectionString);
            web.UseSetting("Ledger:Schema", "hr" + Payloads.NewId()[..10]);
            foreach (var (key, value) in WebhookTestSettings.MainOnly(server.BaseUrl))
            {
                web.UseSetting(key, value);
            }

            web.ConfigureServices(services => services.AddSingleton<IProviderAdapter>(adapter));
        });
        var id = "hook-" + Payloads.NewId();
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        (await host.PostAsync($"/callbacks/{BuggyTestAdapter.ProviderName}", Payloads.Array(BuggyTestAdapter.Item(id, "FAIL")))).Status.ShouldBe(200);
        await server.WaitUntilAsync(all => all.Any(r => WebhookTestSettings.KeyOf(r) == id));

        adapter.Version = 2;
        var runner = host.Services.GetRequiredService<ReplayRunner>();
        var job = await runner.QueueAsync(new ReplayOptions { Provider = BuggyTestAdapter.ProviderName, From = from }, "tests");
        (await runner.RunAsync(job.Id)).Corrected.ShouldBe(1);

        var all = await server.WaitUntilAsync(r => r.Count(x => WebhookTestSettings.KeyOf(x) == id) >= 2);
        var events = all.Where(r => WebhookTestSettings.KeyOf(r) == id).OrderBy(r => r.Data.GetProperty("version").GetInt64()).ToList();
        events.Count.ShouldBe(2);
        events[0].Data.GetProperty("status").GetString().ShouldBe("delivered"); // what the buggy parser believed
        events[0].Data.GetProperty("correction").GetBoolean().ShouldBeFalse();
        events[1].Data.GetProperty("status").GetString().ShouldBe("failed");
        events[1].Data.GetProperty("previousStatus").GetString().ShouldBe("delivered");
        events[1].Data.GetProperty("correction").GetBoolean().ShouldBeTrue();
        events[1].Id.ShouldNotBe(events[0].Id);
    }
}
