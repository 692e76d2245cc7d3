using Ledger.Tests.Support;

namespace Ledger.Tests.Providers.Tencent;

/// <summary>
/// `{"callbackData":"&lt;Base64&gt;"}` on the usual Tencent route, read back through the public API only
/// (the storage behind it is not part of the contract).
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_tencent_pushes_callback_data(LedgerFixture fixture)
{
    private const string Received = """{"result":0,"errmsg":"OK"}""";

    [Fact]
    public async Task a_wrapped_batch_is_acknowledged_and_each_report_reads_back()
    {
        var delivered = Payloads.NewId();
        var failed = Payloads.NewId();
        var body = TencentCallbackDataPayloads.Wrap(Payloads.Array(
            Payloads.TencentItem(delivered, "SUCCESS"),
            Payloads.TencentItem(failed, "FAIL", "2026-11-25 10:35:00", "MK:0005", ext: "order-9")));

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/tencent", body);

        status.ShouldBe(200);
        reply.ShouldBe(Received);
        contentType!.ShouldContain("application/json");

        var (found, first) = await fixture.Host.GetJsonAsync($"/messages/tencent/{delivered}");
        found.ShouldBe(200);
        first.GetProperty("status").GetString().ShouldBe("delivered");
        first.GetProperty("final").GetBoolean().ShouldBeTrue();
        first.GetProperty("providerStatus").GetString().ShouldBe("SUCCESS");
        first.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:04Z"));
        first.GetProperty("parserVersion").GetString().ShouldBe("tencent-callbackdata/1");

        var (_, second) = await fixture.Host.GetJsonAsync($"/messages/tencent/{failed}");
        second.GetProperty("status").GetString().ShouldBe("failed");
        second.GetProperty("final").GetBoolean().ShouldBeTrue();
        second.GetProperty("providerStatus").GetString().ShouldBe("FAIL");
        second.GetProperty("errorCode").GetString().ShouldBe("MK:0005");
        second.GetProperty("outId").GetString().ShouldBe("order-9");
        second.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:35:00Z"));
    }

    [Fact]
    public async Task a_wrapped_lone_report_is_read_and_the_same_report_unwrapped_is_its_duplicate()
    {
        var sid = Payloads.NewId();
        var item = Payloads.TencentItem(sid, "SUCCESS");

        (await fixture.Host.PostAsync("/callbacks/tencent", TencentCallbackDataPayloads.Wrap(item))).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(item))).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("duplicateCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task call_back_data_that_is_not_base64_gets_400_and_is_kept_in_quarantine()
    {
        var body = TencentCallbackDataPayloads.Envelope("%%% not base64 %%%");

        var (status, problem, contentType) = await fixture.Host.PostAsync("/callbacks/tencent", body);

        status.ShouldBe(400);
        contentType!.ShouldContain("application/problem+json");
        var read = await fixture.Host.ShouldBeQuarantinedAsync("tencent", problem, "malformed", body);
        read.GetProperty("detail").GetString()!.ShouldContain("callbackData is not Base64");
    }

    [Fact]
    public async Task base64_of_garbage_gets_400_and_is_kept_in_quarantine()
    {
        var sid = Payloads.NewId();
        var body = TencentCallbackDataPayloads.Wrap($"sid={sid}, not JSON at all");

        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/tencent", body);

        status.ShouldBe(400);
        var read = await fixture.Host.ShouldBeQuarantinedAsync("tencent", problem, "malformed", body);
        read.GetProperty("detail").GetString()!.ShouldStartWith("callbackData, once Base64-decoded, is not valid JSON");
        (await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}")).Status.ShouldBe(404);
    }
}
