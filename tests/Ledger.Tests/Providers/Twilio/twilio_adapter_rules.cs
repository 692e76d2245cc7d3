using Ledger.Events;
using Ledger.Providers;
using Ledger.Providers.Twilio;
using static Ledger.Tests.Providers.Twilio.TwilioRequests;

namespace Ledger.Tests.Providers.Twilio;

/// <summary>The adapter as a pure function: no host, no database.</summary>
public sealed class twilio_adapter_rules
{
    private static readonly TwilioAdapter Adapter = new();
    private static readonly ProviderAccount Account = new() { Name = "default", Secrets = ["old-token", "new-token"] };

    private static AdapterResult Handle(List<KeyValuePair<string, string>> parameters, string? signature = null, string url = LocalUrl,
        ProviderAccount? account = null, IEnumerable<KeyValuePair<string, string>>? extraHeaders = null, string contentType = "application/x-www-form-urlencoded")
    {
        var headers = new List<KeyValuePair<string, string>> { new("X-Twilio-Signature", signature ?? Sign("new-token", url, parameters)) };
        headers.AddRange(extraHeaders ?? []);
        return Adapter.Handle(Raw(url, FormBody(parameters), headers, contentType), account ?? Account, DateTimeOffset.UtcNow);
    }

    private static Report Accepted(AdapterResult result) =>
        result.ShouldBeOfType<AdapterResult.Accepted>().Items.ShouldHaveSingleItem().Report;

    private static Rejection Rejected(AdapterResult result) => result.ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    /// <summary>The example in Twilio's security docs and helper libraries (twilio-php validation.rst, twilio-node tests).</summary>
    [Fact]
    public void twilios_documented_example_signature_is_reproduced_and_accepted()
    {
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        List<KeyValuePair<string, string>> parameters =
        [
            new("CallSid", "CA1234567890ABCDE"),
            new("Caller", "+12349013030"),
            new("Digits", "1234"),
            new("From", "+12349013030"),
            new("To", "+18005551212"),
        ];

        Sign("12345", url, parameters).ShouldBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        TwilioSignature.Compute("12345", TwilioSignature.SignedText(url, parameters), System.Security.Cryptography.HashAlgorithmName.SHA1)
            .ShouldBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");

        // Signature accepted; the example is a voice webhook, so it has no MessageSid to key on.
        var rejection = Rejected(Handle(parameters, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url, new ProviderAccount { Secrets = ["12345"] }));
        rejection.Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Theory]
    [InlineData("queued", DeliveryStatus.Pending, false)]
    [InlineData("accepted", DeliveryStatus.Pending, false)]
    [InlineData("scheduled", DeliveryStatus.Pending, false)]
    [InlineData("sending", DeliveryStatus.Pending, false)]
    [InlineData("sent", DeliveryStatus.Pending, false)]
    [InlineData("delivered", DeliveryStatus.Delivered, true)]
    [InlineData("read", DeliveryStatus.Delivered, true)]
    [InlineData("undelivered", DeliveryStatus.Failed, true)]
    [InlineData("failed", DeliveryStatus.Failed, true)]
    [InlineData("canceled", DeliveryStatus.Failed, true)]
    [InlineData("partially_delivered", DeliveryStatus.Unknown, false)]
    [InlineData("some_new_status", DeliveryStatus.Unknown, false)]
    public void each_message_status_maps_to_a_normalized_status(string messageStatus, DeliveryStatus status, bool final)
    {
        var report = Accepted(Handle(StatusCallback(NewSid(), messageStatus)));
        report.Status.ShouldBe(status);
        report.Final.ShouldBe(final);
        report.ProviderStatus.ShouldBe(messageStatus);
    }

    [Fact]
    public void an_undelivered_report_carries_its_error_code_phone_and_raw_done_date_read_as_assumed_utc()
    {
        var sid = NewSid();
        var result = Handle(StatusCallback(sid, "undelivered", errorCode: "30003", rawDlrDoneDate: "2611251032"));

        var item = result.ShouldBeOfType<AdapterResult.Accepted>().Items.ShouldHaveSingleItem();
        item.MessageKey.ShouldBe(sid);
        item.Report.ErrorCode.ShouldBe("30003");
        item.Report.Phone.ShouldBe("+14155550100");
        item.Report.ProviderTime.ShouldNotBeNull();
        item.Report.ProviderTime.Raw.ShouldBe("2611251032");
        item.Report.ProviderTime.Utc.ShouldBe(new DateTimeOffset(2026, 11, 25, 10, 32, 0, TimeSpan.Zero));
        item.Report.ProviderTime.Rule.ShouldBe(TwilioAdapter.RawDlrDoneDateRule);
        item.Report.ProviderTime.Rule.ShouldContain("assumed");
    }

    [Fact]
    public void a_report_without_raw_done_date_has_no_provider_time()
    {
        Accepted(Handle(StatusCallback(NewSid(), "sent"))).ProviderTime.ShouldBeNull();
    }

    [Fact]
    public void an_unreadable_raw_done_date_is_refused_as_bad_time()
    {
        Rejected(Handle(StatusCallback(NewSid(), "delivered", rawDlrDoneDate: "yesterday"))).Reason.ShouldBe(RejectionReasons.BadTime);
    }

    [Fact]
    public void hmac_sha256_is_used_when_the_webhook_rule_settings_header_says_so()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        var settings = new[] { new KeyValuePair<string, string>("X-Twilio-Webhooks-Signature-Settings", "key=,algorithm=HMAC_SHA256") };

        Accepted(Handle(parameters, Sign("old-token", LocalUrl, parameters, sha256: true), extraHeaders: settings)).Status.ShouldBe(DeliveryStatus.Delivered);
        Rejected(Handle(parameters, Sign("old-token", LocalUrl, parameters), extraHeaders: settings)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void an_unsupported_signature_algorithm_is_refused()
    {
        var settings = new[] { new KeyValuePair<string, string>("X-Twilio-Webhooks-Signature-Settings", "key=,algorithm=HMAC_MD5") };
        Rejected(Handle(StatusCallback(NewSid(), "delivered"), extraHeaders: settings)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void a_signature_over_the_url_with_its_default_port_also_verifies()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        Accepted(Handle(parameters, Sign("new-token", "http://localhost:80/callbacks/twilio", parameters))).Status.ShouldBe(DeliveryStatus.Delivered);
        TwilioSignature.UrlForms("https://example.com:443/cb?x=1").ShouldBe(["https://example.com:443/cb?x=1", "https://example.com/cb?x=1"]);
        TwilioSignature.UrlForms("https://example.com/cb").ShouldBe(["https://example.com/cb", "https://example.com:443/cb"]);
        TwilioSignature.UrlForms("https://example.com:8443/cb").ShouldBe(["https://example.com:8443/cb"]);
    }

    [Fact]
    public void a_signature_over_another_url_is_refused()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        Rejected(Handle(parameters, Sign("new-token", "https://elsewhere.example/callbacks/twilio", parameters))).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void a_missing_signature_header_is_refused()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        var request = Raw(LocalUrl, FormBody(parameters), []);
        Rejected(Adapter.Handle(request, Account, DateTimeOffset.UtcNow)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void a_json_body_is_refused_as_the_wrong_content_type()
    {
        var rejection = Rejected(Handle(StatusCallback(NewSid(), "delivered"), contentType: "application/json"));
        rejection.Reason.ShouldBe(RejectionReasons.WrongContentType);
        rejection.StatusCode.ShouldBe(400);
    }

    [Fact]
    public void an_account_without_an_auth_token_refuses_everything_and_names_the_setting()
    {
        var rejection = Rejected(Handle(StatusCallback(NewSid(), "delivered"), account: new ProviderAccount { Name = "eu" }));
        rejection.StatusCode.ShouldBe(401);
        rejection.Detail.ShouldContain("Ledger__Providers__twilio__eu__Secrets__0");
    }

    [Fact]
    public void the_detail_of_a_refusal_never_contains_a_secret()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        var rejection = Rejected(Handle(parameters, Sign("wrong-token", LocalUrl, parameters)));
        rejection.Detail.ShouldNotContain("old-token");
        rejection.Detail.ShouldNotContain("new-token");
    }
}
