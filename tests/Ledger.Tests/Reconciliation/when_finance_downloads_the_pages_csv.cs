using System.Net;
using System.Text;
using Ledger.Tests.Support;
using Ledger.Tests.Ui;
using Microsoft.Playwright;

namespace Ledger.Tests.Reconciliation;

/// <summary>The web UI's own CSV (made in the browser from the rows on screen) escapes formulas as the service's does.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_finance_downloads_the_pages_csv(LedgerFixture fixture, UiBrowser ui) : IClassFixture<UiBrowser>
{
    [Fact]
    public async Task an_account_name_that_is_a_formula_is_written_as_text_and_the_counts_as_numbers()
    {
        var origin = (await ui.SiteAsync(fixture)).GetLeftPart(UriPartial.Authority);
        var day = $"2048-0{Random.Shared.Next(1, 10)}-{Random.Shared.Next(10, 29)}";
        var account = "=1+2-" + Payloads.NewId();
        using (var register = new HttpRequestMessage(HttpMethod.Post, "/messages/sent"))
        {
            register.Headers.Add("X-Api-Key", LedgerApi.AdminKey);
            register.Content = new StringContent(Payloads.Array(Finance.Sent("tencent", Payloads.NewId(), $"{day}T10:00:00+08:00", account: account, parts: 2)),
                Encoding.UTF8, "application/json");
            using var registered = await ui.Http.SendAsync(register);
            registered.StatusCode.ShouldBe(HttpStatusCode.OK, await registered.Content.ReadAsStringAsync());
        }

        await using var context = await ui.Browser.NewContextAsync();
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{origin}/ui/#/reconciliation?from={day}&to={day}&provider=tencent");
        await page.Locator("#key-input").FillAsync(LedgerApi.FinanceKey);
        await page.Locator("#key-input").PressAsync("Enter");
        await page.Locator("#recon-table").WaitForAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#recon-csv").ClickAsync());
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split("\r\n");

        var row = lines.Single(l => l.Contains(account, StringComparison.Ordinal));
        row.ShouldStartWith($"{day},tencent,\"'{account}\",");
        row.Split(',')[8].ShouldBe("2", "billed parts stay a number");
    }
}
