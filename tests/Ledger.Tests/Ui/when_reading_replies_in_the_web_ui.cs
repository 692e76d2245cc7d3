using System.Net;
using System.Text;
using Ledger.Tests.Providers.Twilio;
using Ledger.Tests.Replies;
using Ledger.Tests.Support;
using Microsoft.Playwright;

namespace Ledger.Tests.Ui;

/// <summary>Replies from phones in the web UI: beside a number's messages in search, and on the message they answer.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_reading_replies_in_the_web_ui(LedgerFixture fixture, UiBrowser ui) : IClassFixture<UiBrowser>
{
    /// <summary>Twilio signs the URL it calls: here, the test site's own address.</summary>
    private async Task PostSignedAsync(string path, List<KeyValuePair<string, string>> parameters)
    {
        var url = new Uri(ui.BaseUrl, path).ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(TwilioRequests.FormBody(parameters), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.TryAddWithoutValidation("X-Twilio-Signature", TwilioRequests.Sign("new-token", url, parameters));
        using var response = await ui.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task support_sees_a_phones_reply_in_search_and_on_the_message_it_answers()
    {
        var origin = (await ui.SiteAsync(fixture)).GetLeftPart(UriPartial.Authority);
        var phone = "+1628555" + Random.Shared.Next(1000, 9999);
        var sent = TwilioRequests.NewSid();
        var status = TwilioRequests.StatusCallback(sent, "delivered").Select(p => p.Key == "To" ? new KeyValuePair<string, string>("To", phone) : p).ToList();
        await PostSignedAsync("/callbacks/twilio", status);
        await PostSignedAsync("/callbacks/twilio/replies", ReplyPayloads.TwilioIncoming(TwilioRequests.NewSid(), phone, "STOP", repliedTo: sent));

        await using var context = await ui.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => { lock (errors) { errors.Add(e); } };
        await page.GotoAsync($"{origin}/ui/");
        await page.Locator("#key-input").FillAsync(LedgerApi.SupportKey);
        await page.Locator("#key-input").PressAsync("Enter");
        await page.Locator("#key-dialog").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });

        await page.Locator("#search-text").FillAsync(phone);
        await page.Locator("#search-text").PressAsync("Enter");
        await page.Locator("#search-replies").WaitForAsync();
        var found = (await page.Locator("#search-replies").TextContentAsync())!;
        found.ShouldContain("1 reply from the phone");
        found.ShouldContain("STOP");
        found.ShouldContain("unsubscribe");
        found.ShouldContain("****");

        await page.GetByRole(AriaRole.Link, new() { Name = sent }).First.ClickAsync();
        await page.Locator("#message-replies").WaitForAsync();
        (await page.Locator("#message-replies").TextContentAsync())!.ShouldContain("STOP");
        await page.Locator("#message-replies").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(UiBrowser.ScreenshotDirectory, "message-replies.png") });
        lock (errors)
        {
            errors.ShouldBeEmpty();
        }
    }
}
