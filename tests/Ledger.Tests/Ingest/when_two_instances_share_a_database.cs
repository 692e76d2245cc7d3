using Ledger.Projections;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Ingest;

[Collection(LedgerCollection.Name)]
public sealed class when_two_instances_share_a_database(LedgerFixture fixture)
{
    private const int Posts = 60;

    [Fact]
    public async Task concurrent_pushes_for_the_same_messages_through_both_are_all_recorded_once()
    {
        var schema = "two" + Payloads.NewId()[..8];
        await using var first = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema);
        await using var second = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema);
        var biz = Payloads.NewId();
        var phones = Enumerable.Range(0, 10).Select(i => $"137{i:D8}").ToArray();
        var batch = Payloads.Array(phones.Select(p => Payloads.AliyunItem(biz, p, true)).ToArray());
        var single = Payloads.Array(Payloads.AliyunItem(biz, phones[0], true));

        var posts = Enumerable.Range(0, Posts).Select(i =>
        {
            var host = i % 2 == 0 ? first : second;
            return host.PostAsync("/callbacks/aliyun", i % 3 == 0 ? single : batch);
        });
        var results = await Task.WhenAll(posts);

        results.ShouldAllBe(r => r.Status == 200);
        var singles = Enumerable.Range(0, Posts).Count(i => i % 3 == 0);
        var batches = Posts - singles;
        await using var session = first.Services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var phone in phones)
        {
            var expected = batches + (phone == phones[0] ? singles : 0);
            var events = await session.Events.FetchStreamAsync($"aliyun:{biz}:{phone}");
            events.Count.ShouldBe(expected);
            events.Select(e => e.Version).ShouldBe(Enumerable.Range(1, expected).Select(v => (long)v));
            var status = await session.LoadAsync<Message>($"aliyun:{biz}:{phone}");
            status!.CallbackCount.ShouldBe(expected, $"the inline document of {phone} lost an update");
            status.DuplicateCount.ShouldBe(expected - 1);
        }
    }

    [Fact]
    public async Task a_nonce_used_on_one_instance_is_refused_on_the_other()
    {
        var schema = "twn" + Payloads.NewId()[..8];
        var settings = TestAccounts.Load();
        await using var first = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema, settings);
        await using var second = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema, settings);
        var id = Providers.Vonage.VonageRequests.NewId();
        var query = Providers.Vonage.VonageRequests.Encoded(
            Providers.Vonage.VonageRequests.Signed(Providers.Vonage.VonageRequests.Receipt(id), "new-signature-secret"));

        (await Providers.Vonage.VonageRequests.GetAsync(first, $"/callbacks/vonage/signed?{query}")).Status.ShouldBe(200);
        var (status, body) = await Providers.Vonage.VonageRequests.GetAsync(second, $"/callbacks/vonage/signed?{query}");

        status.ShouldBe(401);
        body.ShouldContain(Ledger.Providers.RejectionReasons.ReusedNonce);
    }

    [Fact]
    public async Task a_replay_started_with_two_instances_running_runs_once()
    {
        var schema = "twr" + Payloads.NewId()[..8];
        await using var first = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema);
        await using var second = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 30; i++)
        {
            var host = i % 2 == 0 ? first : second;
            (await host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(Payloads.NewId(), "SUCCESS")))).Status.ShouldBe(200);
        }

        var client = first.Server.CreateClient();
        using var start = await client.PostAsync("/replays", new StringContent(
            $$"""{"provider":"tencent","from":"{{from:O}}","includeQuarantine":false,"dryRun":false}""", System.Text.Encoding.UTF8, "application/json"));
        ((int)start.StatusCode).ShouldBe(202);
        var id = System.Text.Json.JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        System.Text.Json.JsonElement job = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            (_, job) = await second.GetJsonAsync($"/replays/{id}");
            if (job.GetProperty("state").GetString() is "completed" or "failed")
            {
                break;
            }

            await Task.Delay(100);
        }

        job.GetProperty("state").GetString().ShouldBe("completed");
        job.GetProperty("scanned").GetInt64().ShouldBe(30); // each request re-read once, not once per instance
        job.GetProperty("corrected").GetInt64().ShouldBe(0);
    }
}
