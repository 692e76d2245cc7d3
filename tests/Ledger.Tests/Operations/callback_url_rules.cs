using Ledger.Providers;
using Ledger.Tests.Support;
using Ledger.Web;
using Ledger.Web.Cli;

namespace Ledger.Tests.Operations;

[Collection(LedgerCollection.Name)]
public sealed class callback_url_rules(LedgerFixture fixture)
{
    [Fact]
    public void an_account_with_a_token_gets_its_route_and_token()
    {
        CallbackUrls.Build("https://ledger.example.com/", "aliyun", "shop", "s3cret")
            .ShouldBe("https://ledger.example.com/callbacks/aliyun/shop?token=s3cret");
    }

    [Fact]
    public void the_default_account_has_no_account_segment_and_no_token_means_no_query()
    {
        CallbackUrls.Build("https://ledger.example.com", "Twilio", "default", null).ShouldBe("https://ledger.example.com/callbacks/twilio");
    }

    [Fact]
    public void a_token_with_special_characters_is_percent_encoded()
    {
        CallbackUrls.Build(" https://ledger.example.com ", "tencent", "default", "a+b/c=d&e f?#%é")
            .ShouldBe("https://ledger.example.com/callbacks/tencent?token=a%2Bb%2Fc%3Dd%26e%20f%3F%23%25%C3%A9");
    }

    [Fact]
    public void every_configured_account_is_listed_and_a_missing_public_url_is_refused()
    {
        var options = new LedgerOptions
        {
            PublicBaseUrl = "https://ledger.example.com",
            Providers = new(StringComparer.OrdinalIgnoreCase)
            {
                ["vonage"] = new(StringComparer.OrdinalIgnoreCase) { ["default"] = new ProviderAccount { Token = "v" } },
                ["aliyun"] = new(StringComparer.OrdinalIgnoreCase) { ["intl"] = new ProviderAccount(), ["default"] = new ProviderAccount { Token = "a" } },
            },
        };

        CallbackUrls.For(options).Select(u => u.Url).ShouldBe([
            "https://ledger.example.com/callbacks/aliyun?token=a",
            "https://ledger.example.com/callbacks/aliyun/intl",
            "https://ledger.example.com/callbacks/vonage?token=v",
        ]);
        Should.Throw<InvalidOperationException>(() => CallbackUrls.For(new LedgerOptions())).Message.ShouldContain("Ledger__PublicBaseUrl");
    }

    [Fact]
    public async Task the_aliyun_probe_calls_the_url_as_alibaba_does()
    {
        var client = fixture.Host.Server.CreateClient();

        (await CallbackUrls.ProbeAsync(new CallbackUrl("aliyun", "default", "http://localhost/callbacks/aliyun"), client)).ShouldStartWith("ok (200");
        (await CallbackUrls.ProbeAsync(new CallbackUrl("aliyun", "nope", "http://localhost/callbacks/aliyun/nope"), client)).ShouldStartWith("FAILED (404");
        (await CallbackUrls.ProbeAsync(new CallbackUrl("generic", "default", "http://localhost/callbacks/generic"), client)).ShouldStartWith("skipped");
    }

    [Theory]
    [InlineData("tencent", "default", null, null)]
    [InlineData("ronglian", "default", null, null)]
    [InlineData("huawei", "default", null, null)]
    [InlineData("twilio", "default", "new-token", null)]
    [InlineData("vonage", "signed", "old-signature-secret", "md5hash")]
    [InlineData("vonage", "hmac", "hmac-signature-secret", "sha256")]
    [InlineData("baidu", "default", "old-token", null)]
    public async Task the_probe_sends_a_signed_test_report_that_is_recorded_under_a_message_of_its_own(string provider, string account, string? secret, string? method)
    {
        var client = fixture.Host.Server.CreateClient();
        var url = $"http://localhost/callbacks/{provider}" + (account == "default" ? "" : $"/{account}");
        var settings = new ProviderAccount { Name = account, Secrets = secret is null ? [] : [secret], SignatureMethod = method };
        var now = DateTimeOffset.UtcNow;

        var result = await CallbackUrls.ProbeAsync(new CallbackUrl(provider, account, url), client, settings, now);

        result.ShouldStartWith("ok (200");
        var key = TestReports.KeyPrefix + now.ToUnixTimeMilliseconds();
        var (status, view) = await fixture.Host.GetJsonAsync($"/messages/{provider}/{key}");
        status.ShouldBe(200, result);
        view.GetProperty("status").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task the_probe_signs_a_huawei_test_report_with_the_accounts_app_key_and_secret()
    {
        var client = fixture.Host.Server.CreateClient();
        var settings = new ProviderAccount { Name = "signed", Secrets = ["old-app-secret"] };
        settings.Options["AppKey"] = "ledger-app-key";
        var now = DateTimeOffset.UtcNow;

        var result = await CallbackUrls.ProbeAsync(new CallbackUrl("huawei", "signed", "http://localhost/callbacks/huawei/signed"), client, settings, now);

        result.ShouldStartWith("ok (200");
        (await fixture.Host.GetJsonAsync($"/messages/huawei/{TestReports.KeyPrefix}{now.ToUnixTimeMilliseconds()}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_probe_with_the_wrong_secret_fails_and_says_why()
    {
        var client = fixture.Host.Server.CreateClient();
        var settings = new ProviderAccount { Secrets = ["not-the-token"] };

        var result = await CallbackUrls.ProbeAsync(new CallbackUrl("twilio", "default", "http://localhost/callbacks/twilio"), client, settings);

        result.ShouldStartWith("FAILED (401");
        result.ShouldContain("bad_signature");
    }
}
