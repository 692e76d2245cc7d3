using Ledger.Tests.Providers.Huawei;
using Ledger.Tests.Support;

namespace Ledger.Tests.Webhooks;

[Collection(LedgerCollection.Name)]
public sealed class when_a_status_changes(LedgerFixture ledger) : IAsyncLifetime
{
    private readonly WebhookHostFixture _hooks = new(ledger);

    public Task InitializeAsync() => _hooks.InitializeAsync();

    public Task DisposeAsync() => _hooks.DisposeAsync();

    private static bool About(ReceivedWebhook r, string messageKey) => r.Data.GetProperty("messageKey").GetString() == messageKey;

    [Fact]
    public async Task each_subscriber_gets_one_signed_event_and_duplicates_and_conflicts_send_nothing()
    {
        var host = _hooks.Host;
        var server = _hooks.Subscriber;
        var biz = Payloads.NewId();
        var key = $"{biz}:13800000201";

        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000201", true)))).Status.ShouldBe(200);
        // The same report again (duplicate), then a failure after delivered (conflict): recorded, no event.
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000201", true)))).Status.ShouldBe(200);
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000201", false, "2026-11-25 10:40:00")))).Status.ShouldBe(200);
        // A later message, as a sentinel: once it arrived, anything the first message caused has had its chance.
        var sentinel = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(sentinel, "13800000202", false)))).Status.ShouldBe(200);
        await server.WaitUntilAsync(all => all.Any(r => r.Path == "main" && About(r, $"{sentinel}:13800000202")));
        await host.DrainedAsync();

        var events = server.On("main").Where(r => About(r, key)).ToList();
        events.Count.ShouldBe(1);
        var hook = events[0];
        hook.SignatureVerifies(WebhookSettings.MainSecret).ShouldBeTrue();
        hook.SignatureVerifies("whsec_" + Convert.ToBase64String("wrong"u8.ToArray())).ShouldBeFalse();
        hook.Id.ShouldStartWith("msg_");
        hook.Id.ShouldNotContain(".");
        long.Parse(hook.Timestamp).ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        hook.Json.GetProperty("type").GetString().ShouldBe("message.status_changed");
        var data = hook.Data;
        data.GetProperty("provider").GetString().ShouldBe("aliyun");
        data.GetProperty("account").GetString().ShouldBe("default");
        data.GetProperty("status").GetString().ShouldBe("delivered");
        data.GetProperty("previousStatus").GetString().ShouldBe("pending");
        data.GetProperty("final").GetBoolean().ShouldBeTrue();
        data.GetProperty("providerStatus").GetString().ShouldBe("DELIVERED");
        data.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        data.GetProperty("version").GetInt64().ShouldBe(1);
        data.GetProperty("correction").GetBoolean().ShouldBeFalse();
        data.GetProperty("category").GetString().ShouldBe("delivered");
        data.GetProperty("retryable").GetBoolean().ShouldBeFalse();
        data.TryGetProperty("phone", out _).ShouldBeFalse();

        // Only `main` hears Aliyun; the attempts are on record for the admin.
        server.Received.Where(r => r.Path != "main").ShouldNotContain(r => About(r, key));
        var (status, attempts) = await host.GetJsonAsync("/webhooks/main/attempts?pageSize=500", LedgerApi.AdminKey);
        status.ShouldBe(200);
        attempts.GetProperty("items").EnumerateArray().Where(a => a.GetProperty("webhookId").GetString() == hook.Id)
            .Select(a => a.GetProperty("outcome").GetString()).ShouldBe(["delivered"]);
        (await host.GetJsonAsync("/webhooks/main/attempts", apiKey: null)).Status.ShouldBe(401);
        (await host.GetJsonAsync("/webhooks/nobody/attempts", LedgerApi.AdminKey)).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_failure_superseded_by_delivered_sends_both_changes_in_order()
    {
        var biz = Payloads.NewId();
        var key = $"{biz}:13800000211";
        (await _hooks.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000211", false, "2026-11-25 10:32:05")))).Status.ShouldBe(200);
        (await _hooks.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000211", true, "2026-11-25 10:35:00")))).Status.ShouldBe(200);

        var events = (await _hooks.Subscriber.WaitUntilAsync(all => all.Count(r => r.Path == "main" && About(r, key)) >= 2))
            .Where(r => r.Path == "main" && About(r, key)).OrderBy(r => r.Data.GetProperty("version").GetInt64()).ToList();
        events.Select(e => (e.Data.GetProperty("previousStatus").GetString(), e.Data.GetProperty("status").GetString()))
            .ShouldBe([("pending", "failed"), ("failed", "delivered")]);
        events.Select(e => e.Id).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task intermediate_reports_reach_only_subscribers_that_ask_for_them()
    {
        var id = Payloads.NewId();
        (await _hooks.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, "ENROUTE", "2018-04-13T06%3A31%3A40Z"), HuaweiRequests.Form)).Status.ShouldBe(200);
        (await _hooks.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, "DELIVRD"), HuaweiRequests.Form)).Status.ShouldBe(200);

        await _hooks.Subscriber.WaitUntilAsync(r => r.Count(x => x.Path == "noisy" && About(x, id)) >= 2 && r.Any(x => x.Path == "main" && About(x, id)));
        await _hooks.Host.DrainedAsync();
        var all = _hooks.Subscriber.Received;
        all.Where(r => r.Path == "main" && About(r, id)).Select(r => r.Data.GetProperty("status").GetString()).ShouldBe(["delivered"]);
        all.Where(r => r.Path == "noisy" && About(r, id)).OrderBy(r => r.Data.GetProperty("version").GetInt64())
            .Select(r => r.Data.GetProperty("providerStatus").GetString()).ShouldBe(["ENROUTE", "DELIVRD"]);
    }

    [Fact]
    public async Task a_subscriber_that_is_down_gets_every_event_once_it_is_back_and_a_dead_one_gets_them_parked()
    {
        var sids = Enumerable.Range(0, 2).Select(_ => Payloads.NewId()).ToArray();
        foreach (var sid in sids)
        {
            (await _hooks.Host.PostAsync("/callbacks/tencent", $"[{Payloads.TencentItem(sid, "SUCCESS")}]")).Status.ShouldBe(200);
        }

        var unknown = Payloads.NewId();
        (await _hooks.Host.PostAsync("/callbacks/tencent", $"[{Payloads.TencentItem(unknown, "WHATEVER")}]")).Status.ShouldBe(200);

        // flaky answers 503 to its first three requests: both events still arrive, each answered 200 exactly once.
        var received = await _hooks.Subscriber.WaitUntilAsync(all => sids.All(s => all.Any(r => r.Path == "flaky" && r.Answered == 200 && About(r, s))));
        foreach (var sid in sids)
        {
            var forSid = received.Where(r => r.Path == "flaky" && About(r, sid)).ToList();
            forSid.Count(r => r.Answered == 200).ShouldBe(1);
            forSid.Select(r => r.Id).Distinct().Count().ShouldBe(1, "a retry carries the same webhook-id");
            forSid.ShouldAllBe(r => r.SignatureVerifies(WebhookSettings.FlakySecret));
        }

        received.Count(r => r.Path == "flaky").ShouldBe(5);

        // dead always answers 503: 1 attempt + 3 retries, then parked and visible.
        await _hooks.Subscriber.WaitUntilAsync(all => all.Count(r => r.Path == "dead" && About(r, unknown)) >= 4);
        var parked = default(System.Text.Json.JsonElement);
        for (var i = 0; i < 100; i++)
        {
            var (status, json) = await _hooks.Host.GetJsonAsync("/webhooks/dead/parked", LedgerApi.AdminKey);
            status.ShouldBe(200);
            parked = json;
            if (json.GetProperty("items").EnumerateArray().Any(p => p.GetProperty("streamKey").GetString() == $"tencent:{unknown}"))
            {
                break;
            }

            await Task.Delay(100);
        }

        parked.GetProperty("items").EnumerateArray().Count(p => p.GetProperty("streamKey").GetString() == $"tencent:{unknown}").ShouldBe(1);
        _hooks.Subscriber.On("dead").Count(r => About(r, unknown)).ShouldBe(4);
        var (_, attempts) = await _hooks.Host.GetJsonAsync("/webhooks/dead/attempts?pageSize=500", LedgerApi.AdminKey);
        attempts.GetProperty("items").EnumerateArray().Where(a => a.GetProperty("streamKey").GetString() == $"tencent:{unknown}")
            .OrderBy(a => a.GetProperty("attempt").GetInt32())
            .Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("outcome").GetString(), a.GetProperty("statusCode").GetInt32()))
            .ShouldBe([(1, "failed", 503), (2, "failed", 503), (3, "failed", 503), (4, "parked", 503)]);
    }
}
