using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.Hostile;

/// <summary>
/// Every listing pages as (page - 1) × pageSize rows skipped. A page past what the database's OFFSET holds
/// answered 500 (a negative OFFSET); now a page or page size out of range is a 400 that names the bound, and
/// the last allowed page is simply empty.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_paging_past_the_end(LedgerFixture fixture)
{
    public static TheoryData<string, string, string> Listings => new()
    {
        { "/reconciliation/messages?from=2026-11-01&to=2026-11-30", LedgerApi.FinanceKey, "1000" },
        { "/messages?phone=13800138000", LedgerApi.SupportKey, "500" },
        { "/quarantine?provider=aliyun", LedgerApi.AdminKey, "500" },
    };

    [Theory]
    [MemberData(nameof(Listings))]
    public async Task a_page_beyond_the_bound_is_a_400_naming_the_bound(string listing, string key, string maxPageSize)
    {
        foreach (var paging in new[] { "page=2147483647", "page=2147483648", "page=1000001", "page=0", "page=-1", "page=abc", "pageSize=2147483647", "pageSize=0" })
        {
            var (status, body, type) = await fixture.Host.GetRawAsync($"{listing}&{paging}", key);
            status.ShouldBe(400, $"{listing}&{paging}: {body}");
            type.ShouldStartWith("application/problem+json");
            var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
            detail.ShouldContain(paging.StartsWith("pageSize", StringComparison.Ordinal) ? $"'pageSize' must be a whole number from 1 to {maxPageSize}" : "'page' must be a whole number from 1 to 1000000");
        }
    }

    [Theory]
    [MemberData(nameof(Listings))]
    public async Task the_last_allowed_page_at_the_largest_size_is_empty_not_an_error(string listing, string key, string maxPageSize)
    {
        var (status, body, _) = await fixture.Host.GetRawAsync($"{listing}&page=1000000&pageSize={maxPageSize}", key);
        status.ShouldBe(200, body);
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("page").GetInt32().ShouldBe(1_000_000);
        json.GetProperty(json.TryGetProperty("rows", out _) ? "rows" : "items").GetArrayLength().ShouldBe(0);
    }
}
