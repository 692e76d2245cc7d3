using Ledger.Ingest;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Ingest;

/// <summary>Its own cluster, so that stopping PostgreSQL doesn't disturb the other tests.</summary>
public sealed class when_storage_is_down
{
    [Fact]
    public async Task callbacks_get_503_nothing_is_half_written_and_service_resumes_when_it_returns()
    {
        await using var postgres = await TestClusters.StartAsync("down");
        await using var host = await LedgerFixture.StartHostAsync(postgres.ConnectionString, "down");
        var biz = Payloads.NewId();

        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000101", true)))).Status.ShouldBe(200);
        (await host.GetJsonAsync("/health")).Status.ShouldBe(200);

        await postgres.StopAsync();
        var (status, problem, contentType) = await host.PostAsync("/callbacks/aliyun",
            Payloads.Array(Payloads.AliyunItem(biz, "13800000102", true)));
        status.ShouldBe(503);
        contentType!.ShouldContain("application/problem+json");
        problem.ShouldContain("nothing was stored");
        (await host.GetJsonAsync("/health")).Status.ShouldBe(503);

        await postgres.RestartAsync(durable: false);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.QuerySession())
        {
            (await session.Events.FetchStreamAsync($"aliyun:{biz}:13800000102")).ShouldBeEmpty();
            (await session.Query<RawRequestRecord>().CountAsync(r => r.Outcome == RequestOutcomes.Accepted)).ShouldBe(1);
        }

        // The provider retries: now it is stored.
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000102", true)))).Status.ShouldBe(200);
        (await host.GetJsonAsync($"/messages/aliyun/{biz}:13800000102")).Status.ShouldBe(200);
    }
}
