using System.Net;
using System.Text;
using Ledger.Tests.Support;
using Microsoft.Playwright;

namespace Ledger.Tests.Ui;

/// <summary>
/// The web UI end to end: Debian's Chromium driven by Playwright against the real service on Kestrel.
/// Every test signs in with a key as a person would (the dialog), waits on what the page shows (never on
/// time), checks that no request left the origin and no CSP violation or script error was logged, and
/// leaves a screenshot under TestResults/ui-screenshots.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_using_the_web_ui(LedgerFixture fixture, UiBrowser ui) : IClassFixture<UiBrowser>
{
    /// <summary>One Alibaba message with a failure, an older failure, a delivery, its duplicate and a late failure.</summary>
    private async Task<(string Phone, string Key)> MessageWithAHistoryAsync()
    {
        await ui.SiteAsync(fixture);
        var biz = Payloads.NewId();
        var phone = "137" + Random.Shared.Next(10_000_000, 99_999_999);
        foreach (var (success, time) in new[]
                 {
                     (false, "2026-11-25 10:32:05"), (false, "2026-11-25 10:31:00"), (true, "2026-11-25 10:32:10"),
                     (true, "2026-11-25 10:32:10"), (false, "2026-11-25 10:33:00"),
                 })
        {
            using var content = new StringContent(Payloads.Array(Payloads.AliyunItem(biz, phone, success, time, outId: "ui-" + biz)), Encoding.UTF8, "application/json");
            using var response = await ui.Http.PostAsync("/callbacks/aliyun", content);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        return (phone, $"{biz}:{phone}");
    }

    private sealed record Session(IBrowserContext Context, IPage Page, List<string> Requests, List<string> Errors) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Context.DisposeAsync();
    }

    private async Task<Session> SignInAsync(string apiKey, string route = "")
    {
        var origin = (await ui.SiteAsync(fixture)).GetLeftPart(UriPartial.Authority);
        var context = await ui.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, Locale = "zh-CN" });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        var errors = new List<string>();
        page.Request += (_, r) => { lock (requests) { requests.Add(r.Url); } };
        page.Console += (_, m) => { if (m.Type == "error") { lock (errors) { errors.Add(m.Text); } } };
        page.PageError += (_, e) => { lock (errors) { errors.Add(e); } };
        await page.GotoAsync($"{origin}/ui/{route}");
        await page.Locator("#key-dialog").WaitForAsync();
        await page.Locator("#key-input").FillAsync(apiKey);
        await page.Locator("#key-input").PressAsync("Enter");
        await page.Locator("#key-dialog").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });
        return new Session(context, page, requests, errors);
    }

    /// <summary>Every request the page made went to this origin (blob: is the CSV the page itself made).</summary>
    private void ShouldHaveStayedHome(Session session, params string[] allowedErrors)
    {
        var origin = ui.BaseUrl.GetLeftPart(UriPartial.Authority);
        lock (session.Requests)
        {
            session.Requests.ShouldNotBeEmpty();
            session.Requests.Where(u => !u.StartsWith(origin + "/", StringComparison.Ordinal) && !u.StartsWith("blob:" + origin, StringComparison.Ordinal)
                && !u.StartsWith("data:", StringComparison.Ordinal)).ShouldBeEmpty();
        }

        lock (session.Errors)
        {
            // The browser logs a failed fetch (403/404) as a console error; anything else (CSP, script errors) fails the test.
            session.Errors.Where(e => !allowedErrors.Any(a => e.Contains(a, StringComparison.Ordinal))).ShouldBeEmpty();
        }
    }

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(UiBrowser.ScreenshotDirectory, name + ".png"), FullPage = true });

    [Fact]
    public async Task support_searches_a_phone_and_opens_its_timeline_with_every_callback_marked()
    {
        var (phone, key) = await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.SupportKey);
        var page = session.Page;

        var input = page.Locator("#search-text");
        (await input.EvaluateAsync<bool>("e => e === document.activeElement")).ShouldBeTrue("the search field has the focus");
        await input.FillAsync($"+{phone[..3]} {phone[3..7]}-{phone[7..]}");
        await input.PressAsync("Enter");
        await page.Locator("#results-heading").WaitForAsync();
        (await page.Locator("#results-heading").TextContentAsync())!.ShouldStartWith("1 message");
        await ScreenshotAsync(page, "search");

        await page.GetByRole(AriaRole.Link, new() { Name = key }).ClickAsync();
        await page.Locator("#timeline li").Nth(4).WaitForAsync();
        (await page.Locator("#timeline li").CountAsync()).ShouldBe(5); // one event per report
        (await page.Locator("#current-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        (await page.Locator("#current-status").TextContentAsync())!.ShouldContain("137****");
        (await page.Locator("#timeline .badge.duplicate").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("#timeline .badge.conflict").CountAsync()).ShouldBeGreaterThan(0);
        var timeline = (await page.Locator("#timeline").TextContentAsync())!;
        timeline.ShouldContain("provider time 2026-11-25 02:32:10 UTC (sent as “2026-11-25 10:32:10”)");
        timeline.ShouldContain("用户接收失败");
        (await page.Locator("#current-status .description").TextContentAsync()).ShouldBe("用户接收成功");
        (await page.Locator("#current-status").TextContentAsync())!.ShouldContain("What it means");
        await ScreenshotAsync(page, "message-timeline");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task the_timeline_says_which_part_of_a_long_message_each_report_was_about()
    {
        await ui.SiteAsync(fixture);
        var id = Payloads.NewId();
        foreach (var sequence in new[] { "1", "2" })
        {
            using var content = new StringContent(Providers.Huawei.HuaweiRequests.SingleForm(id, total: "2", sequence: sequence), Encoding.UTF8,
                Providers.Huawei.HuaweiRequests.Form);
            using var response = await ui.Http.PostAsync("/callbacks/huawei", content);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await using var session = await SignInAsync(LedgerApi.SupportKey, $"#/message/huawei/{Uri.EscapeDataString(id)}");
        var page = session.Page;
        await page.Locator("#timeline li").Nth(1).WaitForAsync();

        var timeline = (await page.Locator("#timeline").TextContentAsync())!;
        timeline.ShouldContain("part 1 of 2");
        timeline.ShouldContain("part 2 of 2");
        (await page.Locator("#timeline .badge.duplicate").CountAsync()).ShouldBe(0);
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task the_as_of_slider_shows_the_status_as_it_stood_at_an_earlier_version()
    {
        var (_, key) = await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.SupportKey, $"#/message/aliyun/{Uri.EscapeDataString(key)}");
        var page = session.Page;
        await page.Locator("#timeline li").Nth(4).WaitForAsync();

        // By keyboard: Home goes to version 1, one step right to version 2 (the second failure report).
        var range = page.Locator("#asof-range");
        await range.FocusAsync();
        await range.PressAsync("Home");
        await range.PressAsync("ArrowRight");
        await page.Locator("#asof-status[data-version], #asof-status").Filter(new() { HasText = "as of version 2" }).WaitForAsync();

        (await page.Locator("#asof-status [data-status]").TextContentAsync()).ShouldBe("failed");
        (await page.Locator("#current-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        (await page.Locator("#asof-label").TextContentAsync())!.ShouldStartWith("version 2 of 5");
        (await page.Locator("#timeline li.current").GetAttributeAsync("data-version")).ShouldBe("2");
        await ScreenshotAsync(page, "message-as-of");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task a_clock_time_shows_the_status_the_ledger_knew_then()
    {
        var (_, key) = await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.SupportKey, $"#/message/aliyun/{Uri.EscapeDataString(key)}");
        var page = session.Page;
        await page.Locator("#timeline li").Nth(4).WaitForAsync();

        // Before the first callback arrived: nothing was known yet, and the page says so.
        await page.Locator("#asof-time").FillAsync("2000-01-01T00:00");
        await page.Locator("#asof-time").PressAsync("Enter");
        (await page.Locator("#asof-result").Filter(new() { HasText = "at that point" }).TextContentAsync())!.ShouldContain("No callback had been recorded");

        // Now: every event counts, the status is the current one, the last event is marked.
        var later = DateTime.Now.AddMinutes(5).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await page.Locator("#asof-time").FillAsync(later);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.Locator("#asof-status").Filter(new() { HasText = "Status at" }).WaitForAsync();
        (await page.Locator("#asof-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        (await page.Locator("#timeline li.current").GetAttributeAsync("data-version")).ShouldBe("5");
        lock (session.Requests)
        {
            session.Requests.ShouldContain(u => u.Contains("?asOf=", StringComparison.Ordinal));
        }

        await ScreenshotAsync(page, "message-at-time");
        ShouldHaveStayedHome(session, "404");
    }

    [Fact]
    public async Task a_support_key_is_told_raw_requests_are_for_admins_and_an_admin_key_sees_the_body()
    {
        var (_, key) = await MessageWithAHistoryAsync();
        var route = $"#/message/aliyun/{Uri.EscapeDataString(key)}";

        await using (var support = await SignInAsync(LedgerApi.SupportKey, route))
        {
            await support.Page.Locator(".raw-toggle").First.ClickAsync();
            var denied = support.Page.Locator(".raw-denied");
            await denied.WaitForAsync();
            (await denied.TextContentAsync())!.ShouldContain("Admin only");
            (await denied.TextContentAsync())!.ShouldContain("'admin'");
            await ScreenshotAsync(support.Page, "raw-request-support");
            ShouldHaveStayedHome(support, "403");
        }

        await using var admin = await SignInAsync(LedgerApi.AdminKey, route);
        await admin.Page.Locator(".raw-toggle").First.ClickAsync();
        await admin.Page.Locator(".raw-body").First.WaitForAsync();
        (await admin.Page.Locator(".raw-body").First.TextContentAsync())!.ShouldContain("用户接收失败");
        (await admin.Page.Locator(".raw-headers").First.TextContentAsync())!.ShouldContain("Content-Type: application/json");
        ShouldHaveStayedHome(admin);
    }

    [Fact]
    public async Task the_reconciliation_page_shows_the_same_daily_totals_as_the_api()
    {
        await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.FinanceKey, "#/reconciliation?from=2026-11-25&to=2026-11-25&provider=aliyun");
        var page = session.Page;
        using var probe = new HttpRequestMessage(HttpMethod.Get, "/reconciliation/daily?from=2026-11-25&to=2026-11-25&provider=aliyun");
        probe.Headers.Add("X-Api-Key", LedgerApi.FinanceKey);
        using var answer = await ui.Http.SendAsync(probe);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rows = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").EnumerateArray().ToList();
        rows.ShouldNotBeEmpty();

        await page.Locator("#recon-table").WaitForAsync();
        // The page's columns, in its order (src/Web/wwwroot/ui/js/views/reconciliation.js).
        string[] headers = ["day", "provider", "account", "delivered", "failed", "pending", "unknown", "missingReports", "billedParts", "callbacks", "duplicates", "rejected", "corrected", "pulled", "resendCandidates"];
        var totals = await page.Locator("#recon-totals td").AllTextContentsAsync();
        totals.Count.ShouldBe(headers.Length);
        totals[0].ShouldBe("Total");
        foreach (var column in new[] { "delivered", "failed", "pending", "unknown", "billedParts", "callbacks", "duplicates" })
        {
            var index = Array.IndexOf(headers, column);
            var api = rows.Sum(r => r.GetProperty(column).GetInt64());
            long.Parse(totals[index].Trim()).ShouldBe(api, $"{column}: page total vs API");
        }

        (await page.Locator(".chart svg rect").CountAsync()).ShouldBeGreaterThan(0);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#recon-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        csv.ShouldContain("day,provider,account,delivered,failed,pending,unknown,missingReports");
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(rows.Count + 1);
        await ScreenshotAsync(page, "reconciliation");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task the_resend_page_lists_the_retryable_failures_the_api_lists()
    {
        await ui.SiteAsync(fixture);
        var biz = Payloads.NewId();
        var phone = "136" + Random.Shared.Next(10_000_000, 99_999_999);
        foreach (var (b, code) in new[] { (biz, "MK:0023"), (Payloads.NewId(), "MK:0001") }) // 关机 (retryable), 空号 (permanent)
        {
            using var content = new StringContent(Payloads.Array(Payloads.AliyunItem(b, phone, false, "2029-03-14 10:00:00", code)), Encoding.UTF8, "application/json");
            using var response = await ui.Http.PostAsync("/callbacks/aliyun", content);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await using var session = await SignInAsync(LedgerApi.SupportKey, "#/resend?from=2029-03-14&to=2029-03-14&provider=aliyun");
        var page = session.Page;
        using var probe = new HttpRequestMessage(HttpMethod.Get, "/resend-candidates?from=2029-03-14&to=2029-03-14&provider=aliyun");
        probe.Headers.Add("X-Api-Key", LedgerApi.SupportKey);
        using var answer = await ui.Http.SendAsync(probe);
        var rows = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").EnumerateArray().ToList();
        rows.ShouldContain(r => r.GetProperty("messageKey").GetString() == $"{biz}:{phone}");
        rows.ShouldAllBe(r => r.GetProperty("category").GetString() != "invalid_number");

        await page.Locator("#resend-table").WaitForAsync();
        (await page.Locator("#resend-table tbody tr").CountAsync()).ShouldBe(rows.Count);
        (await page.Locator("#resend-table").TextContentAsync())!.ShouldContain($"{biz}:{phone}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#resend-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        csv.ShouldContain("provider,account,messageKey,status,category,reason,since");
        csv.ShouldContain("unreachable");
        await ScreenshotAsync(page, "resend-candidates");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task a_replay_started_from_the_page_completes_and_its_result_shows()
    {
        await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.AdminKey, "#/replays");
        var page = session.Page;
        await page.Locator("#replay-provider").SelectOptionAsync("aliyun");
        await page.Locator("#replay-dry").ClickAsync();
        var progress = page.Locator("#replay-progress[data-state=completed]");
        await progress.WaitForAsync(new() { Timeout = 60_000 });
        (await progress.TextContentAsync())!.ShouldContain("Requests re-read");
        (await progress.TextContentAsync())!.ShouldContain("Would be corrected");
        await page.Locator("#replay-apply").ClickAsync();
        // The applied run also completes, and the page shows its figures (nothing to correct here).
        var applied = page.Locator("#replay-progress[data-state=completed]", new() { HasNotText = "Would be corrected" });
        await applied.WaitForAsync(new() { Timeout = 60_000 });
        (await applied.TextContentAsync())!.ShouldContain("Corrected");
        await ScreenshotAsync(page, "replays");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task operations_shows_live_counters_and_the_quarantine_with_reasons()
    {
        await MessageWithAHistoryAsync();
        // A Twilio report without a signature is refused and kept in quarantine.
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["MessageSid"] = "SM" + Payloads.NewId(), ["MessageStatus"] = "delivered" });
        (await ui.Http.PostAsync("/callbacks/twilio", form)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var session = await SignInAsync(LedgerApi.AdminKey, "#/operations");
        var page = session.Page;
        await page.Locator("#ops-providers").WaitForAsync();
        await page.Locator("#ops-quarantine-size").WaitForAsync();
        (await page.Locator("#ops-providers").TextContentAsync())!.ShouldContain("aliyun");
        (await page.Locator("#ops-reasons").TextContentAsync())!.ShouldContain("signature");
        (await page.Locator("#ops-quarantine").TextContentAsync())!.ShouldContain("/callbacks/twilio");
        await ScreenshotAsync(page, "operations");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task ui_responses_carry_a_self_only_policy_and_hardening_headers_in_utf8()
    {
        await ui.SiteAsync(fixture);
        foreach (var path in new[] { "/ui/", "/ui/js/app.js", "/ui/app.css" })
        {
            using var response = await ui.Http.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            response.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("default-src 'self'");
            response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
            response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
            response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
            response.Content.Headers.ContentType!.CharSet.ShouldBe("utf-8", path);
        }

        using var redirect = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ui.BaseUrl }.GetAsync("/ui");
        redirect.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task a_wrong_key_gets_a_clear_401_message()
    {
        await ui.SiteAsync(fixture);
        await using var session = await SignInAsync("not-a-key", "#/search?phone=13800000000");
        var alert = session.Page.GetByRole(AriaRole.Alert);
        await alert.WaitForAsync();
        (await alert.TextContentAsync())!.ShouldContain("Your API key was not accepted (401)");
        ShouldHaveStayedHome(session, "401");
    }
}
