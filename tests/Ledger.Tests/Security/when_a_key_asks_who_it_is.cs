using System.Globalization;
using Ledger.Tests.Support;

namespace Ledger.Tests.Security;

/// <summary>`GET /me`: any valid key learns its role and the business zone (the web UI's tabs and times come from it).</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_key_asks_who_it_is(LedgerFixture fixture)
{
    [Theory]
    [InlineData(LedgerApi.SupportKey, "support", new[] { "support" })]
    [InlineData(LedgerApi.FinanceKey, "finance", new[] { "finance" })]
    [InlineData(LedgerApi.AdminKey, "admin", new[] { "admin", "finance", "support" })]
    public async Task each_role_is_told_its_role_the_roles_it_passes_and_the_business_day(string key, string role, string[] roles)
    {
        var (status, me) = await fixture.Host.GetJsonAsync("/me", key);

        status.ShouldBe(200);
        me.GetProperty("role").GetString().ShouldBe(role);
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(roles);
        me.GetProperty("timeZone").GetString().ShouldBe("Asia/Shanghai");
        var beijing = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        me.GetProperty("today").GetString().ShouldBeOneOf(
            beijing.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), beijing.AddMinutes(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task a_wrong_key_is_refused_with_401()
    {
        (await fixture.Host.GetJsonAsync("/me", "not-a-key")).Status.ShouldBe(401);
        (await fixture.Host.GetJsonAsync("/me", apiKey: null)).Status.ShouldBe(401);
    }
}
