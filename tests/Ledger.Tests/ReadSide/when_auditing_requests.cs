using System.Text;
using System.Text.Json;
using Ledger.Tests.Providers.Ronglian;
using Ledger.Tests.Support;

namespace Ledger.Tests.ReadSide;

[Collection(LedgerCollection.Name)]
public sealed class when_auditing_requests(LedgerFixture fixture)
{
    [Fact]
    public async Task a_request_reads_back_exactly_as_received_with_what_each_item_changed()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(Payloads.AliyunItem(biz, "13800000501", true), Payloads.AliyunItem(biz, "13800000502", false));
        (await fixture.Host.PostAsync("/callbacks/aliyun?token=none", body)).Status.ShouldBe(200);
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000502/history");
        var requestId = history.GetProperty("events")[0].GetProperty("requestId").GetGuid();

        var (status, request) = await fixture.Host.GetJsonAsync($"/requests/{requestId}", LedgerApi.AdminKey);

        status.ShouldBe(200);
        request.GetProperty("bodyText").GetString().ShouldBe(body);
        Encoding.UTF8.GetString(Convert.FromBase64String(request.GetProperty("bodyBase64").GetString()!)).ShouldBe(body);
        request.GetProperty("method").GetString().ShouldBe("POST");
        request.GetProperty("url").GetString()!.ShouldEndWith("/callbacks/aliyun?token=none");
        request.GetProperty("headers").EnumerateArray().ShouldContain(h => h.GetProperty("name").GetString() == "Content-Type");
        request.GetProperty("outcome").GetString().ShouldBe("accepted");
        request.GetProperty("verification").GetString().ShouldBe("passed");
        var items = request.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("messageKey").GetString()).ShouldBe([$"{biz}:13800000501", $"{biz}:13800000502"]);
        items.Select(i => i.GetProperty("itemIndex").GetInt32()).ShouldBe([0, 1]);
        items.Select(i => i.GetProperty("statusAfter").GetString()).ShouldBe(["delivered", "failed"]);
        items.ShouldAllBe(i => i.GetProperty("effect").GetString() == "applied");
    }

    [Fact]
    public async Task a_refused_request_is_listed_in_quarantine_with_its_reason_and_reads_back_whole()
    {
        var provider = "nosuch" + Payloads.NewId();
        var (refused, problem, _) = await fixture.Host.PostAsync($"/callbacks/{provider}", "{\"x\":1}");
        refused.ShouldBe(404);
        var requestId = JsonDocument.Parse(problem).RootElement.GetProperty("requestId").GetGuid();

        var (status, page) = await fixture.Host.GetJsonAsync($"/quarantine?provider={provider}&reason=unknown_provider", LedgerApi.AdminKey);

        status.ShouldBe(200);
        var entry = page.GetProperty("items").EnumerateArray().Single();
        entry.GetProperty("requestId").GetGuid().ShouldBe(requestId);
        entry.GetProperty("reason").GetString().ShouldBe("unknown_provider");

        var (_, none) = await fixture.Host.GetJsonAsync($"/quarantine?provider={provider}&reason=bad_signature", LedgerApi.AdminKey);
        none.GetProperty("items").GetArrayLength().ShouldBe(0);

        var (_, request) = await fixture.Host.GetJsonAsync($"/requests/{requestId}", LedgerApi.AdminKey);
        request.GetProperty("outcome").GetString().ShouldBe("quarantined");
        request.GetProperty("reason").GetString().ShouldBe("unknown_provider");
        request.GetProperty("bodyText").GetString().ShouldBe("{\"x\":1}");
        request.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task a_body_that_does_not_decode_is_given_as_base64_only()
    {
        var bytes = new byte[] { 0x5b, 0xff, 0xfe, 0x5d };
        var (status, problem, _) = await fixture.Host.PostBytesAsync("/callbacks/aliyun", bytes, "application/json");
        status.ShouldBe(400);
        var requestId = JsonDocument.Parse(problem).RootElement.GetProperty("requestId").GetGuid();

        var (_, request) = await fixture.Host.GetJsonAsync($"/requests/{requestId}", LedgerApi.AdminKey);

        request.GetProperty("bodyText").ValueKind.ShouldBe(JsonValueKind.Null);
        Convert.FromBase64String(request.GetProperty("bodyBase64").GetString()!).ShouldBe(bytes);
    }
}
