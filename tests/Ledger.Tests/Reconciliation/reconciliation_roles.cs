using Ledger.Tests.Support;

namespace Ledger.Tests.Reconciliation;

[Collection(LedgerCollection.Name)]
public sealed class reconciliation_roles(LedgerFixture fixture)
{
    [Theory]
    [InlineData("/reconciliation/daily?from=2034-01-01&to=2034-01-02")]
    [InlineData("/reconciliation/messages?from=2034-01-01&to=2034-01-02")]
    public async Task finance_reads_reconciliation_and_support_is_refused(string url)
    {
        (await fixture.Host.GetJsonAsync(url, LedgerApi.FinanceKey)).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync(url, LedgerApi.SupportKey)).Status.ShouldBe(403);
        (await fixture.Host.GetJsonAsync(url, null)).Status.ShouldBe(401);
    }

    [Fact]
    public async Task only_admin_registers_sent_messages()
    {
        var body = Payloads.Array(Finance.Sent("tencent", Payloads.NewId(), "2034-01-01T10:00:00+08:00"));
        (await fixture.Host.PostAsync("/messages/sent", body, apiKey: LedgerApi.FinanceKey)).Status.ShouldBe(403);
        (await fixture.Host.PostAsync("/messages/sent", body, apiKey: LedgerApi.AdminKey)).Status.ShouldBe(200);
    }
}
