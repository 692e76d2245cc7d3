using System.Net;
using System.Text;
using Ledger.Tests.Support;
using Microsoft.Playwright;

namespace Ledger.Tests.Ui;

/// <summary>
/// The web UI end to end: Debian's Chromium driven by Playwright against the real service on Kestrel.
/// Every test signs in with a key as a person would (the dialog), waits on what the page shows (never on
/// time), checks that no request left the origin and no CSP violation or script error was logged, and
/// leaves a 1280x800 screenshot under TestResults/ui-screenshots (`LEDGER_UI_SCREENSHOTS=$PWD/docs/ui`
/// refreshes the ones docs/ui/README.md describes).
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
        var context = await ui.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "zh-CN" });
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

    /// <summary>The viewport only (1280x800), so the pictures in docs/ui stay small.</summary>
    /// <summary>
    /// The operations page reads /metrics and the quarantine every 5 s: a first reading that comes late or fails
    /// under the full suite's load is replaced by the next ones, so the wait spans several (once, in a CI run,
    /// the 10 s default saw none).
    /// </summary>
    private static async Task OperationsShownAsync(IPage page)
    {
        await page.Locator("#ops-providers").WaitForAsync(new() { Timeout = 30_000 });
        await page.Locator("#ops-quarantine-size").WaitForAsync(new() { Timeout = 30_000 });
    }

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(UiBrowser.ScreenshotDirectory, name + ".png") });

    /// <summary>The business zone of the test settings (the default, Asia/Shanghai).</summary>
    private static readonly TimeZoneInfo Beijing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static string BeijingText(DateTimeOffset instant, string format) =>
        TimeZoneInfo.ConvertTime(instant, Beijing).ToString(format, System.Globalization.CultureInfo.InvariantCulture);

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

        // Support sees the phone inside the Alibaba key masked; the masked key still opens the message.
        await page.GetByRole(AriaRole.Link, new() { Name = key[..(key.Length - 8)] + "****" + key[^4..] }).ClickAsync();
        await page.Locator("#timeline li").Nth(4).WaitForAsync();
        (await page.Locator("#timeline li").CountAsync()).ShouldBe(5); // one event per report
        (await page.Locator("#current-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        (await page.Locator("#current-status").TextContentAsync())!.ShouldContain("137****");
        (await page.Locator("#timeline .badge.duplicate").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("#timeline .badge.conflict").CountAsync()).ShouldBeGreaterThan(0);
        var timeline = (await page.Locator("#timeline").TextContentAsync())!;
        // Times in the business zone, with their offset: the provider's Beijing time reads as it was sent.
        timeline.ShouldContain("provider time 2026-11-25 10:32:10 UTC+8 (sent as “2026-11-25 10:32:10”)");
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

        // By keyboard: Home goes to the first entry, one step right to the second (the second failure report).
        var range = page.Locator("#asof-range");
        await range.FocusAsync();
        await range.PressAsync("Home");
        await range.PressAsync("ArrowRight");
        await page.Locator("#asof-status").Filter(new() { HasText = "As it stood after the 2nd entry" }).WaitForAsync();

        (await page.Locator("#asof-status [data-status]").TextContentAsync()).ShouldBe("failed");
        (await page.Locator("#current-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        (await page.Locator("#asof-label").TextContentAsync())!.ShouldStartWith("after the 2nd of 5 entries · arrived 20");
        (await page.Locator("#timeline li.current").GetAttributeAsync("data-position")).ShouldBe("2");
        await page.Locator("#asof-title").EvaluateAsync("e => e.scrollIntoView({ block: 'start' })");
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

        // The picker takes Beijing wall time as ISO text: a minute before the first report arrived, nothing
        // was known yet (read as UTC, that time would be 8 hours later and show the delivery).
        (await page.Locator("#asof-time").GetAttributeAsync("type")).ShouldBe("text");
        (await page.Locator("label[for=asof-time]").TextContentAsync())!.ShouldContain("Asia/Shanghai, YYYY-MM-DD HH:mm");
        var first = DateTimeOffset.UtcNow.AddMinutes(-2);
        await page.Locator("#asof-time").FillAsync(BeijingText(first, "yyyy-MM-dd HH:mm"));
        await page.Locator("#asof-time").PressAsync("Enter");
        (await page.Locator("#asof-result").Filter(new() { HasText = "at that point" }).TextContentAsync())!.ShouldContain("No callback had been recorded");

        // Now: every report counts, the status is the current one, the last entry is marked.
        var later = BeijingText(DateTimeOffset.UtcNow.AddMinutes(5), "yyyy-MM-dd HH:mm");
        await page.Locator("#asof-time").FillAsync(later);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.Locator("#asof-status").Filter(new() { HasText = "Status at" }).WaitForAsync();
        (await page.Locator("#asof-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        (await page.Locator("#timeline li.current").GetAttributeAsync("data-position")).ShouldBe("5");
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
        var shown = $"{biz}:{phone[..3]}****{phone[7..]}"; // the phone inside the key masked for support
        rows.ShouldContain(r => r.GetProperty("messageKey").GetString() == shown);
        rows.ShouldAllBe(r => r.GetProperty("category").GetString() != "invalid_number");

        await page.Locator("#resend-table").WaitForAsync();
        (await page.Locator("#resend-table tbody tr").CountAsync()).ShouldBe(rows.Count);
        (await page.Locator("#resend-table").TextContentAsync())!.ShouldContain(shown);
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
        await OperationsShownAsync(page);
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

    private static async Task<(double Top, double Bottom, double Left, double Right)> BoxAsync(ILocator locator)
    {
        var box = (await locator.BoundingBoxAsync()).ShouldNotBeNull();
        return (box.Y, box.Y + box.Height, box.X, box.X + box.Width);
    }

    [Fact]
    public async Task each_replay_field_has_its_label_above_it_and_times_are_read_in_the_business_zone()
    {
        await ui.SiteAsync(fixture);
        await using var session = await SignInAsync(LedgerApi.AdminKey, "#/replays");
        var page = session.Page;
        await page.Locator("#replay-form").WaitForAsync();

        foreach (var id in new[] { "replay-provider", "replay-from", "replay-to", "replay-keys" })
        {
            var label = await BoxAsync(page.Locator($"label[for={id}]"));
            var field = await BoxAsync(page.Locator($"#{id}"));
            label.Bottom.ShouldBeLessThanOrEqualTo(field.Top + 0.5, $"{id}: the label sits above its field, not over it");
            label.Left.ShouldBe(field.Left, 1, $"{id}: label and field are aligned");
        }

        (await page.Locator("#replay-from").GetAttributeAsync("type")).ShouldBe("text");
        (await page.Locator("#replay-time-hint").TextContentAsync())!.ShouldContain("YYYY-MM-DD HH:mm in Asia/Shanghai");
        await page.Locator("#replay-from").FillAsync("2026-11-25 08:00");
        await page.Locator("#replay-to").FillAsync("2026-11-25 09:00");
        var posted = await page.RunAndWaitForRequestAsync(() => page.Locator("#replay-dry").ClickAsync(), r => r.Url.EndsWith("/replays", StringComparison.Ordinal) && r.Method == "POST");
        using var body = System.Text.Json.JsonDocument.Parse(posted.PostData!);
        body.RootElement.GetProperty("from").GetString().ShouldBe("2026-11-25T00:00:00.000Z"); // 08:00 in Beijing
        body.RootElement.GetProperty("to").GetString().ShouldBe("2026-11-25T01:00:00.000Z");
        await page.Locator("#replay-progress[data-state=completed]").WaitForAsync(new() { Timeout = 60_000 });
        await ScreenshotAsync(page, "replay-form");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task the_provider_picker_shows_only_when_searching_by_provider_message_key()
    {
        await ui.SiteAsync(fixture);
        await using var session = await SignInAsync(LedgerApi.SupportKey);
        var page = session.Page;
        await page.Locator("#search-form").WaitForAsync();

        (await page.Locator("#search-by").InputValueAsync()).ShouldBe("phone");
        (await page.Locator("#search-provider").IsVisibleAsync()).ShouldBeFalse("searching by phone needs no provider");
        await page.Locator("#search-by").SelectOptionAsync("outId");
        (await page.Locator("#search-provider").IsVisibleAsync()).ShouldBeFalse();
        await page.Locator("#search-by").SelectOptionAsync("key");
        (await page.Locator("#search-provider").IsVisibleAsync()).ShouldBeTrue("a message key is the provider's");
        await page.Locator("#search-by").SelectOptionAsync("phone");
        (await page.Locator("#search-provider").IsVisibleAsync()).ShouldBeFalse();
        await ScreenshotAsync(page, "search-by-phone");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task reconciliation_opens_on_the_last_seven_business_days_of_the_business_zone()
    {
        await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.FinanceKey, "#/reconciliation");
        var page = session.Page;
        await page.Locator("#recon-form").WaitForAsync();

        // Today in Beijing, not the UTC date (they differ from 16:00 to 24:00 UTC).
        var today = DateOnly.Parse(BeijingText(DateTimeOffset.UtcNow, "yyyy-MM-dd"), System.Globalization.CultureInfo.InvariantCulture);
        var to = await page.Locator("#recon-to").InputValueAsync();
        var from = await page.Locator("#recon-from").InputValueAsync();
        if (to != today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
        {
            // The Beijing day turned while the page loaded.
            today = DateOnly.Parse(BeijingText(DateTimeOffset.UtcNow, "yyyy-MM-dd"), System.Globalization.CultureInfo.InvariantCulture);
        }

        to.ShouldBe(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        from.ShouldBe(today.AddDays(-6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        (await page.Locator("#recon-from").GetAttributeAsync("type")).ShouldBe("text");
        (await page.Locator("#recon-zone").TextContentAsync())!.ShouldContain("Business days in Asia/Shanghai");
        (await page.Locator("#zone-label").TextContentAsync()).ShouldBe("Times in Asia/Shanghai (UTC+8)");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task each_chart_bar_names_its_day_provider_and_account()
    {
        await ui.SiteAsync(fixture);
        // The same day and provider on two accounts of Alibaba (domestic and international): two bars, told apart by account.
        var date = new DateTime(2030, 1, Random.Shared.Next(1, 28), 0, 0, 0, DateTimeKind.Unspecified);
        var day = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await using var session = await SignInAsync(LedgerApi.FinanceKey, $"#/reconciliation?from={day}&to={day}&provider=aliyun");
        var page = session.Page;
        var bodies = new Dictionary<string, string>
        {
            ["/callbacks/aliyun"] = Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13900000000", true, $"{day} 10:00:00")),
            ["/callbacks/aliyun/intl"] = Payloads.Array(Providers.Aliyun.AliyunInternationalPayloads.Item(Payloads.NewId(),
                receiveDate: date.AddHours(10).ToString("ddd, dd MMM yyyy HH:mm:ss '+0800'", System.Globalization.CultureInfo.InvariantCulture))),
        };
        foreach (var (path, body) in bodies)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await ui.Http.PostAsync(path, content);
            ((int)response.StatusCode).ShouldBeLessThan(300, path);
        }

        await page.ReloadAsync();
        await page.Locator(".chart svg rect").First.WaitForAsync();
        var labels = await page.Locator(".chart svg text").AllTextContentsAsync();
        labels.ShouldContain("aliyun");
        labels.ShouldContain("default");
        labels.ShouldContain("intl");
        var titles = await page.Locator(".chart svg rect title").AllTextContentsAsync();
        titles.ShouldContain(t => t.StartsWith($"{day} · aliyun · account intl", StringComparison.Ordinal));
        await page.Locator(".chart").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, "reconciliation-chart");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task a_failed_status_is_not_called_final_and_the_page_speaks_of_entries_not_versions()
    {
        var (_, key) = await MessageWithAHistoryAsync();
        await using var session = await SignInAsync(LedgerApi.SupportKey, $"#/message/aliyun/{Uri.EscapeDataString(key)}");
        var page = session.Page;
        await page.Locator("#timeline li").Nth(4).WaitForAsync();

        (await page.Locator("#current-status .finality").TextContentAsync()).ShouldBe("final");
        var range = page.Locator("#asof-range");
        await range.FocusAsync();
        await range.PressAsync("Home");
        await page.Locator("#asof-status").Filter(new() { HasText = "As it stood after the 1st entry" }).WaitForAsync();
        (await page.Locator("#asof-status [data-status]").TextContentAsync()).ShouldBe("failed");
        (await page.Locator("#asof-status .finality").TextContentAsync()).ShouldBe("failed for now");
        (await page.Locator("#asof-status .finality-note").TextContentAsync())!.ShouldContain("A later delivery report");
        (await page.Locator("#asof-status .meaning").TextContentAsync())!.ShouldContain("No documented code says why"); // its category, as a sentence

        // One line per report; no API words: no "version", no query string, times with their zone.
        (await page.Locator("#timeline li").CountAsync()).ShouldBe(5);
        var text = (await page.Locator("main").TextContentAsync())!;
        text.ShouldNotContain("version", Case.Insensitive);
        text.ShouldNotContain("?");
        text.ShouldContain("UTC+8");
        text.ShouldNotContain(" UTC ");
        (await page.Locator("#timeline li").First.TextContentAsync())!.ShouldStartWith("1. Report from the provider");
        await page.Locator("#asof-title").EvaluateAsync("e => e.scrollIntoView({ block: 'start' })");
        await ScreenshotAsync(page, "message-failed-for-now");
        ShouldHaveStayedHome(session);
    }

    [Fact]
    public async Task an_alibaba_connectivity_check_is_counted_as_a_check_and_refusals_read_as_sentences()
    {
        await ui.SiteAsync(fixture);
        (await ui.Http.GetAsync("/callbacks/aliyun")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["MessageSid"] = "SM" + Payloads.NewId(), ["MessageStatus"] = "delivered" });
        (await ui.Http.PostAsync("/callbacks/twilio", form)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var session = await SignInAsync(LedgerApi.AdminKey, "#/operations");
        var page = session.Page;
        await OperationsShownAsync(page);
        var headers = await page.Locator("#ops-providers th").AllTextContentsAsync();
        headers.ShouldBe(["Provider", "Requests / min", "Accepted", "Refused", "Connectivity checks"]);
        var aliyun = await page.Locator("#ops-providers tr", new() { HasText = "aliyun" }).Locator("td").AllTextContentsAsync();
        int.Parse(aliyun[4], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);
        (await page.Locator("#ops-live").TextContentAsync())!.ShouldContain("Connectivity checks answered");

        (await page.Locator("#ops-reasons").TextContentAsync())!.ShouldContain("bad_signature — The signature did not match");
        (await page.Locator("#ops-quarantine").TextContentAsync())!.ShouldContain("The signature did not match");
        await ScreenshotAsync(page, "operations");
        ShouldHaveStayedHome(session);
    }

    [Theory]
    [InlineData(LedgerApi.SupportKey, new[] { "search", "resend" }, "replays")]
    [InlineData(LedgerApi.FinanceKey, new[] { "reconciliation" }, "operations")]
    [InlineData(LedgerApi.AdminKey, new[] { "search", "reconciliation", "resend", "replays", "operations" }, null)]
    public async Task a_key_sees_only_the_tabs_its_role_can_use(string key, string[] tabs, string? forbidden)
    {
        await ui.SiteAsync(fixture);
        await using var session = await SignInAsync(key);
        var page = session.Page;
        await page.Locator("#key-label").Filter(new() { HasText = "·" }).Last.WaitForAsync();
        await page.Locator("main h2").First.WaitForAsync();

        var visible = new List<string>();
        foreach (var link in await page.Locator("[data-nav]").AllAsync())
        {
            if (await link.IsVisibleAsync())
            {
                visible.Add((await link.GetAttributeAsync("data-nav"))!);
            }
        }

        visible.ShouldBe(tabs);
        if (forbidden is not null)
        {
            // Typed by hand: the page says which views the key has instead of calling an API it may not.
            await page.GotoAsync($"{ui.BaseUrl.GetLeftPart(UriPartial.Authority)}/ui/#/{forbidden}");
            await page.Locator("main .alert.warn").WaitForAsync();
            (await page.Locator("main .alert.warn").TextContentAsync())!.ShouldContain("This key cannot open this view");
            if (key == LedgerApi.SupportKey)
            {
                await ScreenshotAsync(page, "support-tabs");
            }
        }

        ShouldHaveStayedHome(session);
    }

    [Fact]
    public void every_screenshot_in_docs_ui_has_its_line_in_the_readme_and_stays_small()
    {
        var folder = Path.Combine(Ledger.Web.Hosting.SourceTree.RepositoryRoot(AppContext.BaseDirectory).ShouldNotBeNull(), "docs", "ui");
        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        var pictures = Directory.GetFiles(folder, "*.png").Select(Path.GetFileName).ToList();
        pictures.ShouldNotBeEmpty();
        foreach (var picture in pictures)
        {
            readme.ShouldContain($"[{picture}]({picture})", Case.Sensitive, $"{picture} is described in docs/ui/README.md");
            new FileInfo(Path.Combine(folder, picture!)).Length.ShouldBeLessThan(300_000, picture);
        }

        foreach (System.Text.RegularExpressions.Match line in System.Text.RegularExpressions.Regex.Matches(readme, @"\]\(([^)]+\.png)\)"))
        {
            pictures.ShouldContain(line.Groups[1].Value, "every line of docs/ui/README.md names a screenshot that exists");
        }
    }

    [Fact]
    public async Task a_store_of_an_earlier_build_shows_one_line_per_report_not_two_events()
    {
        await ui.SiteAsync(fixture);
        var key = "legacy-" + Payloads.NewId();
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        Ledger.Events.Report Read(Ledger.Events.DeliveryStatus status, string code, int minute) => new(status, true, code, null, null,
            new Ledger.Events.ProviderTime($"2026-11-25 10:{32 + minute:D2}:05", at.AddMinutes(minute), "Asia/Shanghai"), "13812345678", null, 1, "tencent/1");
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Marten.IDocumentStore>(ui.Services);
        await using (var session = store.LightweightSession())
        {
            // Builds before one event per report wrote the request's item, then its reading.
            session.Events.Append(Ledger.Events.StreamKeys.Message("tencent", key),
                new Ledger.Events.CallbackReceived("tencent", "default", key, first, 0, "{}", at),
                new Ledger.Events.ReportInterpreted(first, at, Read(Ledger.Events.DeliveryStatus.Failed, "UNDELIV", 0)),
                new Ledger.Events.CallbackReceived("tencent", "default", key, second, 0, "{}", at.AddMinutes(1)),
                new Ledger.Events.ReportInterpreted(second, at.AddMinutes(1), Read(Ledger.Events.DeliveryStatus.Delivered, "DELIVRD", 1)),
                new Ledger.Events.ReportReceived("default", Guid.NewGuid(), 0, "{}", at.AddMinutes(2), Read(Ledger.Events.DeliveryStatus.Delivered, "DELIVRD", 1)));
            await session.SaveChangesAsync();
        }

        await using var ui2 = await SignInAsync(LedgerApi.SupportKey, $"#/message/tencent/{key}");
        var page = ui2.Page;
        await page.Locator("#timeline li").Nth(2).WaitForAsync();
        (await page.Locator("#timeline li").CountAsync()).ShouldBe(3, "three reports, five events");
        var lines = await page.Locator("#timeline li strong").AllTextContentsAsync();
        lines.ShouldBe(["1. Report from the provider", "2. Report from the provider", "3. Report from the provider"]);
        (await page.Locator("#asof-label").TextContentAsync())!.ShouldStartWith("after the 3rd of 3 entries");

        // The slider's second entry is the status after the second report's reading (event 4).
        var range = page.Locator("#asof-range");
        await range.FocusAsync();
        await range.PressAsync("Home");
        await range.PressAsync("ArrowRight");
        await page.Locator("#asof-status").Filter(new() { HasText = "As it stood after the 2nd entry" }).WaitForAsync();
        (await page.Locator("#asof-status [data-status]").TextContentAsync()).ShouldBe("delivered");
        lock (ui2.Requests)
        {
            ui2.Requests.ShouldContain(u => u.EndsWith("?version=4", StringComparison.Ordinal));
        }

        ShouldHaveStayedHome(ui2);
    }
}
