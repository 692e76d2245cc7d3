using Ledger.Tests.Support;

namespace Ledger.Tests.Security;

/// <summary>Raw bodies carry phone numbers and whatever else a provider sent: admin only.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_reading_raw_requests(LedgerFixture fixture)
{
    [Fact]
    public async Task only_admin_gets_a_raw_request_support_and_finance_get_403()
    {
        var sid = "sec-" + Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "SUCCESS")))).Status.ShouldBe(200);
        var (status, history) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}/history");
        status.ShouldBe(200);
        var requestId = history.GetProperty("events")[0].GetProperty("requestId").GetString()!;

        (await fixture.Host.GetRawAsync($"/requests/{requestId}", LedgerApi.SupportKey)).Status.ShouldBe(403);
        (await fixture.Host.GetRawAsync($"/requests/{requestId}", LedgerApi.FinanceKey)).Status.ShouldBe(403);
        (await fixture.Host.GetRawAsync($"/requests/{requestId}", null)).Status.ShouldBe(401);
        var (adminStatus, body, _) = await fixture.Host.GetRawAsync($"/requests/{requestId}", LedgerApi.AdminKey);
        adminStatus.ShouldBe(200);
        body.ShouldContain(sid);
    }
}
