using Ledger.Tests.Support;
using Ledger.Tests.Webhooks;

namespace Ledger.Tests.Replies;

/// <summary>`reply.received` goes out once per reply, signed with the Standard Webhooks scheme.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_reply_is_announced(LedgerFixture ledger) : IAsyncLifetime
{
    private readonly WebhookHostFixture _hooks = new(ledger);

    public Task InitializeAsync() => _hooks.InitializeAsync();

    public Task DisposeAsync() => _hooks.DisposeAsync();

    private static bool About(ReceivedWebhook r, string sequence) =>
        r.Json.GetProperty("type").GetString() == "reply.received" && r.Data.GetProperty("id").GetString() == sequence;

    [Fact]
    public async Task a_reply_sends_one_signed_reply_received_and_its_duplicate_sends_nothing()
    {
        var host = _hooks.Host;
        var phone = ReplyPayloads.NewPhone();
        var sequence = Random.Shared.NextInt64(1_000_000_000, 9_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = ReplyPayloads.AliyunSmsUp(phone, "退订", sequence);

        (await host.PostAsync("/callbacks/aliyun/replies", body)).Status.ShouldBe(200);
        (await host.PostAsync("/callbacks/aliyun/replies", body)).Status.ShouldBe(200);
        // A later reply as a sentinel: once it arrived, anything the first reply's duplicate caused has had its chance.
        var sentinel = sequence + "9";
        (await host.PostAsync("/callbacks/aliyun/replies", ReplyPayloads.AliyunSmsUp(ReplyPayloads.NewPhone(), "ok", sentinel))).Status.ShouldBe(200);
        await _hooks.Subscriber.WaitUntilAsync(all => all.Any(r => r.Path == "main" && About(r, sentinel)));
        await host.DrainedAsync();

        var hook = _hooks.Subscriber.On("main").Where(r => About(r, sequence)).ShouldHaveSingleItem();
        hook.SignatureVerifies(WebhookSettings.MainSecret).ShouldBeTrue();
        hook.SignatureVerifies("whsec_" + Convert.ToBase64String("wrong"u8.ToArray())).ShouldBeFalse();
        hook.Id.ShouldStartWith("reply_");
        hook.Id.ShouldNotContain(".");
        var data = hook.Data;
        data.GetProperty("provider").GetString().ShouldBe("aliyun");
        data.GetProperty("account").GetString().ShouldBe("default");
        data.GetProperty("phone").GetString().ShouldBe(phone);
        data.GetProperty("content").GetString().ShouldBe("退订");
        data.GetProperty("unsubscribe").GetBoolean().ShouldBeTrue();
        data.GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:40:00Z"));

        // Subscribers limited to other providers hear nothing of it.
        _hooks.Subscriber.Received.Where(r => r.Path != "main").ShouldNotContain(r => About(r, sequence));
    }
}
