using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.Webhooks;

/// <summary>The `dead` subscriber is down long enough for a delivery to be parked, then comes back.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_parked_deliveries_are_resent(LedgerFixture ledger) : IAsyncLifetime
{
    private readonly WebhookHostFixture _hooks = new(ledger);

    public Task InitializeAsync() => _hooks.InitializeAsync();

    public Task DisposeAsync() => _hooks.DisposeAsync();

    private static bool About(ReceivedWebhook r, string messageKey) => r.Data.GetProperty("messageKey").GetString() == messageKey;

    private async Task<List<JsonElement>> ParkedAsync(string messageKey)
    {
        var (status, json) = await _hooks.Host.GetJsonAsync("/webhooks/dead/parked", LedgerApi.AdminKey);
        status.ShouldBe(200);
        return [.. json.GetProperty("items").EnumerateArray().Where(p => p.GetProperty("streamKey").GetString() == $"tencent:{messageKey}")];
    }

    private async Task<(int Status, JsonElement Json)> ResendAsync(string? body, string? apiKey = LedgerApi.AdminKey, string subscriber = "dead")
    {
        var (status, text, _) = await _hooks.Host.PostAsync($"/webhooks/{subscriber}/parked/resend", body ?? "", apiKey: apiKey);
        return (status, text.Length > 0 ? JsonDocument.Parse(text).RootElement : default);
    }

    [Fact]
    public async Task an_admin_resends_them_with_the_same_webhook_id_once_the_subscriber_is_back()
    {
        var first = Payloads.NewId();
        var second = Payloads.NewId();
        foreach (var key in new[] { first, second })
        {
            (await _hooks.Host.PostAsync("/callbacks/tencent", $"[{Payloads.TencentItem(key, "WHATEVER")}]")).Status.ShouldBe(200);
        }

        await _hooks.Subscriber.WaitUntilAsync(all => all.Count(r => r.Path == "dead" && (About(r, first) || About(r, second))) >= 8);
        await _hooks.Host.DrainedAsync();
        var parkedFirst = (await ParkedAsync(first)).ShouldHaveSingleItem();
        (await ParkedAsync(second)).ShouldHaveSingleItem();
        var webhookId = parkedFirst.GetProperty("webhookId").GetString();
        var envelopeId = parkedFirst.GetProperty("envelopeId").GetGuid();

        (await ResendAsync(null, apiKey: null)).Status.ShouldBe(401); // admin only (roles: when_calling_with_api_keys)
        (await ResendAsync(null, subscriber: "nobody")).Status.ShouldBe(404);
        (await ResendAsync("not json")).Status.ShouldBe(400);

        _hooks.Subscriber.Answer = (path, _) => 200; // the subscriber is back

        // Only the one named: the other stays parked; an id that is not this subscriber's is reported, not sent.
        var stranger = Guid.NewGuid();
        var (status, named) = await ResendAsync($$"""{"envelopeIds":["{{envelopeId}}","{{stranger}}"]}""");
        status.ShouldBe(202);
        named.GetProperty("resent").GetInt32().ShouldBe(1);
        named.GetProperty("notFound").EnumerateArray().Select(e => e.GetGuid()).ShouldBe([stranger]);

        var delivered = await _hooks.Subscriber.WaitUntilAsync(all => all.Any(r => r.Path == "dead" && r.Answered == 200 && About(r, first)));
        delivered.Where(r => r.Path == "dead" && About(r, first)).Select(r => r.Id).Distinct().ShouldBe([webhookId!], "the same webhook-id as before parking");
        await _hooks.Host.DrainedAsync();
        (await ParkedAsync(first)).ShouldBeEmpty();
        (await ParkedAsync(second)).ShouldHaveSingleItem();
        _hooks.Subscriber.On("dead").Count(r => About(r, second) && r.Answered == 200).ShouldBe(0);

        // Without a body: every parked delivery of the subscriber.
        (status, var all) = await ResendAsync(null);
        status.ShouldBe(202);
        all.GetProperty("resent").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        await _hooks.Subscriber.WaitUntilAsync(received => received.Any(r => r.Path == "dead" && r.Answered == 200 && About(r, second)));
        await _hooks.Host.DrainedAsync();
        (await ParkedAsync(second)).ShouldBeEmpty();
        _hooks.Subscriber.On("dead").Count(r => About(r, first) && r.Answered == 200).ShouldBe(1, "resent once, not again with the others");
    }
}
