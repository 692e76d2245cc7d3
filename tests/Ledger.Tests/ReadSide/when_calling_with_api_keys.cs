using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.ReadSide;

[Collection(LedgerCollection.Name)]
public sealed class when_calling_with_api_keys(LedgerFixture fixture)
{
    private async Task<(string Biz, string Phone, Guid RequestId)> OneMessageAsync(string phone)
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phone, true, outId: "ref-" + biz)))).Status.ShouldBe(200);
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}/history");
        return (biz, phone, history.GetProperty("events")[0].GetProperty("requestId").GetGuid());
    }

    public static TheoryData<string, string?, int> Refusals => new()
    {
        // endpoint kind, key, expected status
        { "message", null, 401 },
        { "message", "not-a-key", 401 },
        { "message", LedgerApi.FinanceKey, 403 },
        { "history", null, 401 },
        { "history", LedgerApi.FinanceKey, 403 },
        { "search", null, 401 },
        { "search", LedgerApi.FinanceKey, 403 },
        { "request", null, 401 },
        { "request", LedgerApi.SupportKey, 403 },
        { "request", LedgerApi.FinanceKey, 403 },
        { "quarantine", null, 401 },
        { "quarantine", LedgerApi.SupportKey, 403 },
        { "quarantine", LedgerApi.FinanceKey, 403 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task each_endpoint_refuses_a_missing_key_with_401_and_a_wrong_role_with_403(string endpoint, string? key, int expected)
    {
        var (biz, phone, requestId) = await OneMessageAsync("13800000401");
        var url = endpoint switch
        {
            "message" => $"/messages/aliyun/{biz}:{phone}",
            "history" => $"/messages/aliyun/{biz}:{phone}/history",
            "search" => $"/messages?phone={phone}",
            "request" => $"/requests/{requestId}",
            _ => "/quarantine",
        };

        var (status, body, contentType) = await fixture.Host.GetRawAsync(url, key);

        status.ShouldBe(expected);
        contentType!.ShouldStartWith("application/problem+json");
        JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!.ShouldContain(expected == 401 ? "X-Api-Key" : "role");
        (await fixture.Host.GetRawAsync(url, LedgerApi.AdminKey)).Status.ShouldBe(200, "admin may do everything");
    }

    [Fact]
    public async Task support_sees_the_phone_masked_and_admin_sees_it_whole()
    {
        var (biz, phone, _) = await OneMessageAsync("13812345678");

        var (_, asSupport) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}", LedgerApi.SupportKey);
        var (_, asAdmin) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}", LedgerApi.AdminKey);

        asSupport.GetProperty("phone").GetString().ShouldBe("138****5678");
        asAdmin.GetProperty("phone").GetString().ShouldBe("13812345678");
    }

    [Fact]
    public async Task a_search_by_the_full_phone_finds_the_message_though_the_view_is_masked()
    {
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var (first, _, _) = await OneMessageAsync(phone);
        var (second, _, _) = await OneMessageAsync(phone);

        var spaced = $"+{phone[..3]} {phone[3..7]}-{phone[7..]}";
        var (status, page) = await fixture.Host.GetJsonAsync($"/messages?phone={Uri.EscapeDataString(spaced)}", LedgerApi.SupportKey);

        status.ShouldBe(200);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        var masked = $"{phone[..3]}****{phone[7..]}";
        // The phone inside an Alibaba key is masked too (the masked key still opens the message: when_support_reads_a_masked_key).
        items.Select(i => i.GetProperty("messageKey").GetString()).ShouldBe([$"{second}:{masked}", $"{first}:{masked}"], "newest first");
        items.ShouldAllBe(i => i.GetProperty("phone").GetString() == masked);
        page.GetProperty("total").GetInt64().ShouldBe(2);

        var (_, paged) = await fixture.Host.GetJsonAsync($"/messages?phone={phone}&page=2&pageSize=1");
        paged.GetProperty("items").EnumerateArray().Single().GetProperty("messageKey").GetString().ShouldBe($"{first}:{masked}");

        var (_, later) = await fixture.Host.GetJsonAsync($"/messages?phone={phone}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}");
        later.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task a_search_by_out_id_finds_the_message()
    {
        var (biz, phone, _) = await OneMessageAsync("13800000402");

        var (status, page) = await fixture.Host.GetJsonAsync($"/messages?outId=ref-{biz}");

        status.ShouldBe(200);
        page.GetProperty("items").EnumerateArray().Single().GetProperty("messageKey").GetString().ShouldBe($"{biz}:{phone[..3]}****{phone[7..]}");
        (await fixture.Host.GetJsonAsync("/messages")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task ingest_and_health_need_no_key()
    {
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000403", true)))).Status.ShouldBe(200);
        (await fixture.Host.GetRawAsync("/health", null)).Status.ShouldBe(200);
    }
}
