using System.Diagnostics;
using Ledger.Tests.Support;
using Xunit.Abstractions;

namespace Ledger.Tests.Webhooks;

public static class WebhookTestSettings
{
    /// <summary>A single subscriber `main` at the given server, short retries.</summary>
    public static Dictionary<string, string?> MainOnly(string baseUrl) => new()
    {
        ["Ledger:Webhooks:Subscribers:main:Url"] = $"{baseUrl}/main",
        ["Ledger:Webhooks:Subscribers:main:Secret"] = WebhookSettings.MainSecret,
        ["Ledger:Webhooks:RetryDelays:0"] = "00:00:00.2",
        ["Ledger:Webhooks:RetryDelays:1"] = "00:00:00.5",
        ["Ledger:Webhooks:RetryPollingInterval"] = "00:00:00.2",
    };

    public static string KeyOf(ReceivedWebhook r) => r.Data.GetProperty("messageKey").GetString()!;
}

/// <summary>Its own cluster, so that stopping PostgreSQL doesn't disturb the other tests.</summary>
public sealed class when_a_commit_fails
{
    [Fact]
    public async Task nothing_is_sent_for_a_request_that_did_not_commit()
    {
        await using var postgres = await TestClusters.StartAsync("hooks-down");
        await using var server = await SubscriberServer.StartAsync();
        await using var host = await LedgerFixture.StartHostAsync(postgres.ConnectionString, "hooksdown", WebhookTestSettings.MainOnly(server.BaseUrl));
        var biz = Payloads.NewId();

        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000301", true)))).Status.ShouldBe(200);
        await server.WaitUntilAsync(all => all.Any(r => WebhookTestSettings.KeyOf(r) == $"{biz}:13800000301"));

        await postgres.StopAsync();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000302", true)))).Status.ShouldBe(503);
        await postgres.RestartAsync(durable: false);

        var sentinel = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(sentinel, "13800000303", true)))).Status.ShouldBe(200);
        await server.WaitUntilAsync(all => all.Any(r => WebhookTestSettings.KeyOf(r) == $"{sentinel}:13800000303"), seconds: 60);
        await host.DrainedAsync();
        server.Received.ShouldNotContain(r => WebhookTestSettings.KeyOf(r) == $"{biz}:13800000302");

        // The provider retries; now it commits, and now (once) it is sent.
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000302", true)))).Status.ShouldBe(200);
        await server.WaitUntilAsync(all => all.Any(r => WebhookTestSettings.KeyOf(r) == $"{biz}:13800000302"));
        await host.DrainedAsync();
        server.Received.Count(r => WebhookTestSettings.KeyOf(r) == $"{biz}:13800000302").ShouldBe(1);
    }
}

[Collection(LedgerCollection.Name)]
public sealed class when_two_instances_send_webhooks(LedgerFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task each_change_is_sent_once_whichever_instance_committed_it()
    {
        await using var server = await SubscriberServer.StartAsync();
        var schema = "whtwo" + Payloads.NewId()[..8];
        var settings = WebhookTestSettings.MainOnly(server.BaseUrl);
        await using var first = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema, settings);
        await using var second = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema, settings);
        var biz = Payloads.NewId();
        var phones = Enumerable.Range(0, 20).Select(i => $"136{i:D8}").ToArray();
        // One request through each in turn first: Marten creates the schema on first use, and two instances
        // doing it at the same moment on a brand-new schema can collide on the DDL (a deployment runs
        // `resources setup` / db-apply once instead).
        (await first.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phones[0], true)))).Status.ShouldBe(200);
        (await second.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phones[1], true)))).Status.ShouldBe(200);

        // Every report goes in twice, once through each instance, concurrently: one change per message.
        var posts = phones.SelectMany(p => new[] { first, second }.Select(h => h.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, p, true)))));
        (await Task.WhenAll(posts)).ShouldAllBe(r => r.Status == 200);

        await server.WaitUntilAsync(all => all.Select(WebhookTestSettings.KeyOf).Distinct().Count() == phones.Length);
        await first.DrainedAsync(); // one durable store for both instances (same schema)
        await second.DrainedAsync();
        var received = server.Received;
        received.Count.ShouldBe(phones.Length, string.Join(", ", received.GroupBy(WebhookTestSettings.KeyOf).Where(g => g.Count() > 1).Select(g => g.Key)));
        received.Select(r => r.Id).Distinct().Count().ShouldBe(phones.Length);
        received.ShouldAllBe(r => r.SignatureVerifies(WebhookSettings.MainSecret));
    }

    /// <summary>Figures for the report (printed, not asserted): delivery throughput, and ingest latency with one subscriber vs none.</summary>
    [Fact]
    public async Task figures()
    {
        await using var server = await SubscriberServer.StartAsync();
        await using var hooked = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "whfig" + Payloads.NewId()[..8], WebhookTestSettings.MainOnly(server.BaseUrl));
        await using var plain = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "whplain" + Payloads.NewId()[..8]);

        // Warm up both (codegen, schema, connections).
        foreach (var h in new[] { hooked, plain })
        {
            for (var i = 0; i < 10; i++)
            {
                await h.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13500000000", true)));
            }
        }

        await server.WaitUntilAsync(all => all.Count >= 10);
        const int sequential = 60;
        foreach (var (name, h) in new[] { ("none", plain), ("one subscriber", hooked), ("none", plain), ("one subscriber", hooked) })
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < sequential; i++)
            {
                (await h.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13500000001", true)))).Status.ShouldBe(200);
            }

            output.WriteLine($"ingest, {name}: {watch.Elapsed.TotalMilliseconds / sequential:0.00} ms per single-report request (sequential, {sequential})");
        }

        await server.WaitUntilAsync(all => all.Count >= 10 + 2 * sequential);
        var before = server.Received.Count;
        var biz = Payloads.NewId();
        const int requests = 8, perRequest = 100;
        var started = Stopwatch.StartNew();
        var posts = Enumerable.Range(0, requests).Select(r => hooked.PostAsync("/callbacks/aliyun",
            Payloads.Array(Enumerable.Range(0, perRequest).Select(i => Payloads.AliyunItem(biz, $"134{r:D3}{i:D5}", true)).ToArray())));
        (await Task.WhenAll(posts)).ShouldAllBe(r => r.Status == 200);
        var committed = started.Elapsed;
        await server.WaitUntilAsync(all => all.Count >= before + requests * perRequest, seconds: 120);
        var total = started.Elapsed;
        output.WriteLine($"delivery: {requests * perRequest} webhooks, committed in {committed.TotalSeconds:0.00} s, all delivered after {total.TotalSeconds:0.00} s " +
                         $"= {requests * perRequest / total.TotalSeconds:0} deliveries/s end to end");
    }
}
