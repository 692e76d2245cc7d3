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
        TwilioSignature.UrlForms("https://[2001:db8::1]/cb").ShouldBe(["https://[2001:db8::1]/cb", "https://[2001:db8::1]:443/cb"]);
    }

    /// <summary>
    /// "For SMS and voice callbacks over HTTPS, Twilio will drop the username, password and port (if any)
    /// before computing the signature" (twilio.com/docs/usage/security#notes); Twilio's validators drop any
    /// port, for HTTP too (twilio-python test_validation_removes_port_on_https/http).
    /// </summary>
    [Fact]
    public void a_signature_over_the_url_without_its_non_default_port_verifies_as_twilios_validators_accept_it()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        const string called = "https://ledger.example:8443/callbacks/twilio";

        Accepted(Handle(parameters, Sign("new-token", "https://ledger.example/callbacks/twilio", parameters), url: called)).Status.ShouldBe(DeliveryStatus.Delivered);
        Accepted(Handle(parameters, Sign("new-token", called, parameters), url: called)).Status.ShouldBe(DeliveryStatus.Delivered);
        Rejected(Handle(parameters, Sign("new-token", "https://ledger.example:9443/callbacks/twilio", parameters), url: called)).Reason.ShouldBe(RejectionReasons.BadSignature);
        TwilioSignature.UrlForms("https://example.com:8443/cb").ShouldBe(["https://example.com:8443/cb", "https://example.com/cb"]);
        TwilioSignature.UrlForms("http://[2001:db8::1]:8080/cb").ShouldBe(["http://[2001:db8::1]:8080/cb", "http://[2001:db8::1]/cb"]);
    }

    [Fact]
    public void a_connection_override_fragment_is_signed_over_only_when_the_account_names_it()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        var withFragment = Sign("new-token", LocalUrl + "#rc=3&rp=all", parameters);
        var named = new ProviderAccount { Secrets = ["new-token"], Options = new(StringComparer.OrdinalIgnoreCase) { ["SignedFragment"] = "rc=3&rp=all" } };

        // The request never carries its fragment; the URL without one always verifies.
        Accepted(Handle(parameters, Sign("new-token", LocalUrl, parameters), account: named)).Status.ShouldBe(DeliveryStatus.Delivered);
        Accepted(Handle(parameters, withFragment, account: named)).Status.ShouldBe(DeliveryStatus.Delivered);
        Rejected(Handle(parameters, withFragment)).Reason.ShouldBe(RejectionReasons.BadSignature);
        TwilioSignature.UrlForms("https://example.com/cb", "#ct=2000").ShouldBe(
            ["https://example.com/cb", "https://example.com:443/cb", "https://example.com/cb#ct=2000", "https://example.com:443/cb#ct=2000"]);
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

    private static AdapterResult HandleJson(string body, string? signedUrl = null, string? calledUrl = null, string token = "new-token",
        bool sha256 = false, string contentType = "application/json", ProviderAccount? account = null)
    {
        var url = calledUrl ?? WithBodyHash(LocalUrl, body);
        var headers = new List<KeyValuePair<string, string>> { new("X-Twilio-Signature", Sign(token, signedUrl ?? url, [], sha256)) };
        if (sha256)
        {
            headers.Add(new("X-Twilio-Webhooks-Signature-Settings", "key=,algorithm=HMAC_SHA256"));
        }

        return Adapter.Handle(Raw(url, body, headers, contentType), account ?? Account, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// The JSON example of Twilio's helper libraries (twilio-python tests/unit/test_request_validator.py,
    /// test_validation_of_body_succeeds): body hash and signature reproduced by the code written here and
    /// by the ledger's, and accepted. It is no status callback, so, verified, it is refused for its missing MessageSid.
    /// </summary>
    [Fact]
    public void twilios_documented_json_body_example_is_reproduced_and_verified()
    {
        const string body = """{"property": "value", "boolean": true}""";
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

        BodySha256(body).ShouldBe("0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
        TwilioSignature.BodyHash(System.Text.Encoding.UTF8.GetBytes(body)).ShouldBe(BodySha256(body));
        Sign("12345", url, []).ShouldBe("a9nBmqA0ju/hNViExpshrM61xv4=");

        var request = Raw(url, body, [new("X-Twilio-Signature", "a9nBmqA0ju/hNViExpshrM61xv4=")], "application/json");
        var rejection = Rejected(Adapter.Handle(request, new ProviderAccount { Secrets = ["12345"] }, DateTimeOffset.UtcNow));
        rejection.Reason.ShouldBe(RejectionReasons.MissingId);
        rejection.Detail.ShouldContain("JSON");
    }

    [Fact]
    public void a_json_status_callback_signed_with_body_sha256_is_read_like_the_form()
    {
        var sid = NewSid();

        var item = HandleJson(JsonStatusCallback(sid, "undelivered", errorCode: 30003)).ShouldBeOfType<AdapterResult.Accepted>().Items.ShouldHaveSingleItem();

        item.MessageKey.ShouldBe(sid);
        item.Report.Status.ShouldBe(DeliveryStatus.Failed);
        item.Report.ProviderStatus.ShouldBe("undelivered");
        item.Report.ErrorCode.ShouldBe("30003");
        item.Report.Phone.ShouldBe("+14155550100");
        item.Report.ParserVersion.ShouldBe("twilio/2");
    }

    [Fact]
    public void a_json_body_signed_with_hmac_sha256_verifies_when_the_settings_header_says_so()
    {
        Accepted(HandleJson(JsonStatusCallback(NewSid(), "delivered"), token: "old-token", sha256: true)).Status.ShouldBe(DeliveryStatus.Delivered);
    }

    [Fact]
    public void a_json_body_changed_by_one_byte_is_refused_as_a_body_hash_mismatch()
    {
        var body = JsonStatusCallback(NewSid(), "undelivered", errorCode: 30003);
        var signedUrl = WithBodyHash(LocalUrl, body);

        var rejection = Rejected(HandleJson(body.Replace("30003", "30004", StringComparison.Ordinal), calledUrl: signedUrl));

        rejection.Reason.ShouldBe(RejectionReasons.BodyHashMismatch);
        rejection.StatusCode.ShouldBe(401);
    }

    [Fact]
    public void a_signature_over_the_url_without_body_sha256_is_refused()
    {
        var rejection = Rejected(HandleJson(JsonStatusCallback(NewSid(), "delivered"), signedUrl: LocalUrl));

        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.StatusCode.ShouldBe(401);
    }

    [Fact]
    public void a_json_body_posted_to_a_url_without_body_sha256_is_refused_as_unsigned()
    {
        var rejection = Rejected(HandleJson(JsonStatusCallback(NewSid(), "delivered"), calledUrl: LocalUrl));

        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.StatusCode.ShouldBe(401);
        rejection.Detail.ShouldContain("bodySHA256");
    }

    [Fact]
    public void a_url_with_two_body_sha256_parameters_is_refused()
    {
        var body = JsonStatusCallback(NewSid(), "delivered");
        var url = WithBodyHash(WithBodyHash(LocalUrl, body), body);

        Rejected(HandleJson(body, calledUrl: url)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void a_body_that_is_neither_form_nor_json_nor_signed_with_body_sha256_is_the_wrong_content_type()
    {
        var rejection = Rejected(Handle(StatusCallback(NewSid(), "delivered"), contentType: "text/xml"));

        rejection.Reason.ShouldBe(RejectionReasons.WrongContentType);
        rejection.StatusCode.ShouldBe(400);
    }

    [Fact]
    public void a_verified_json_body_of_another_shape_is_refused_for_its_missing_message_sid_not_guessed_at()
    {
        // camelCase, nested: the shape of a Twilio Event Streams event, not of a status callback.
        var body = """{"specversion":"1.0","type":"com.twilio.messaging.message.delivered","data":{"messageSid":"SM1","messageStatus":"DELIVERED"}}""";

        var rejection = Rejected(HandleJson(body));

        rejection.Reason.ShouldBe(RejectionReasons.MissingId);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldContain("not guessed at");
    }

    [Fact]
    public void a_verified_json_array_is_malformed()
    {
        Rejected(HandleJson($"[{JsonStatusCallback(NewSid(), "delivered")}]")).Reason.ShouldBe(RejectionReasons.Malformed);
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
