using Ledger.Tests.Support;

namespace Ledger.Tests.Categories;

/// <summary>
/// Every stored report carries its category and whether resending may help (from the provider's documented
/// codes): the status and every history entry show them through the API.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_reports_are_categorized(LedgerFixture fixture)
{
    [Fact]
    public async Task the_status_and_each_history_entry_say_what_the_outcome_means()
    {
        var biz = Payloads.NewId();
        var key = $"{biz}:13800000611";
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(
            Payloads.AliyunItem(biz, "13800000611", success: false, reportTime: "2026-11-25 10:30:00", errCode: "MK:0001")))).Status.ShouldBe(200);

        var (_, failed) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{key}");
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("category").GetString().ShouldBe("invalid_number");
        failed.GetProperty("retryable").GetBoolean().ShouldBeFalse();

        // A later delivery supersedes the failure: the category follows the report that set the status.
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(
            Payloads.AliyunItem(biz, "13800000611", success: true, reportTime: "2026-11-25 10:31:00")))).Status.ShouldBe(200);
        var (_, delivered) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{key}");
        delivered.GetProperty("category").GetString().ShouldBe("delivered");
        delivered.GetProperty("retryable").GetBoolean().ShouldBeFalse();

        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{key}/history");
        history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("category").GetString()).ShouldBe(["invalid_number", "delivered"]);
        history.GetProperty("events").EnumerateArray().ShouldAllBe(e => e.GetProperty("source").GetString() == "push");

        // Finance's per-message rows and their CSV carry it too.
        var rows = "/reconciliation/messages?from=2026-11-25&to=2026-11-25&provider=aliyun&pageSize=1000";
        var (_, page) = await fixture.Host.GetJsonAsync(rows, LedgerApi.FinanceKey);
        var masked = $"{biz}:138****0611"; // the phone inside an Alibaba key is masked for finance
        var row = page.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("messageKey").GetString() == masked);
        row.GetProperty("category").GetString().ShouldBe("delivered");
        var (_, csv, _) = await fixture.Host.GetRawAsync(rows + "&format=csv", LedgerApi.FinanceKey);
        csv.Split('\n')[0].TrimEnd('\r').ShouldEndWith("category,retryable");
        csv.Split('\n').Single(l => l.Contains(masked)).TrimEnd('\r').ShouldEndWith(",delivered,false");
        csv.ShouldNotContain(key);
    }
}
