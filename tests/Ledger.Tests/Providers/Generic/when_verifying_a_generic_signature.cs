using System.Text;
using Ledger.Events;
using Ledger.Providers;
using Ledger.Providers.Generic;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

public sealed class when_verifying_a_generic_signature
{
    private static readonly GenericAdapter Adapter = new();

    private static AdapterResult.Accepted ShouldBeAccepted(AdapterResult result)
    {
        if (result is AdapterResult.Rejected rejected)
        {
            throw new ShouldAssertException($"Expected acceptance, got {rejected.Rejection}");
        }

        return result.ShouldBeOfType<AdapterResult.Accepted>();
    }

    private static Rejection ShouldBeRejected(AdapterResult result, string reason, int status = 401)
    {
        var rejection = result.ShouldBeOfType<AdapterResult.Rejected>().Rejection;
        rejection.Reason.ShouldBe(reason);
        rejection.StatusCode.ShouldBe(status);
        return rejection;
    }

    [Fact]
    public void a_form_report_signed_over_headers_and_sorted_parameters_is_accepted_with_its_nonce()
    {
        var (body, headers) = DefaultForm(Report("m-1"), nonce: "n-1");

        var accepted = ShouldBeAccepted(Adapter.Handle(Request(body, FormType, headers), Account(), Now));

        accepted.Nonce.ShouldBe(new NonceClaim("n-1", Now.AddSeconds(300)));
        accepted.Reply.ShouldBe(new ProviderReply(200, "text/plain; charset=utf-8", "OK"));
        var item = accepted.Items.Single();
        item.MessageKey.ShouldBe("m-1");
        item.RawItem.ShouldBe(body);
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.Final.ShouldBeTrue();
        item.Report.ProviderTime!.Utc.ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:00Z")); // CMPP yyMMddHHmm, +08:00
        item.Report.Phone.ShouldBe("13800138000");
        item.Report.OutId.ShouldBe("order-7");
        item.Report.BilledParts.ShouldBe(2);
        item.Report.ParserVersion.ShouldBe("generic/1");
    }

    [Fact]
    public void the_previous_secret_still_verifies_during_rotation()
    {
        var (body, headers) = DefaultForm(Report("m-2"), secret: "s2");
        ShouldBeAccepted(Adapter.Handle(Request(body, FormType, headers), Account(), Now));
    }

    [Fact]
    public void a_signature_made_with_another_secret_is_refused()
    {
        var (body, headers) = DefaultForm(Report("m-3"), secret: "s3");
        var rejection = ShouldBeRejected(Adapter.Handle(Request(body, FormType, headers), Account(), Now), RejectionReasons.BadSignature);
        rejection.Detail.ShouldContain("does not match");
        rejection.Detail.ShouldNotContain("s1");
    }

    [Fact]
    public void hex_signatures_compare_ignoring_case()
    {
        var (body, headers) = DefaultForm(Report("m-4"));
        headers[2] = ("X-Signature", headers[2].Value.ToUpperInvariant());
        ShouldBeAccepted(Adapter.Handle(Request(body, FormType, headers), Account(), Now));
    }

    [Fact]
    public void header_names_match_in_any_case()
    {
        var (body, headers) = DefaultForm(Report("m-5"));
        var lowered = headers.Select(h => (h.Name.ToLowerInvariant(), h.Value)).ToArray();
        ShouldBeAccepted(Adapter.Handle(Request(body, FormType, lowered), Account(), Now));
    }

    [Theory]
    [InlineData(-301, "old")]
    [InlineData(301, "in the future")]
    public void a_timestamp_outside_the_tolerance_either_way_is_refused_as_stale(int offsetSeconds, string said)
    {
        var (body, headers) = DefaultForm(Report("m-6"), at: Now.AddSeconds(offsetSeconds));
        var rejection = ShouldBeRejected(Adapter.Handle(Request(body, FormType, headers), Account(), Now), RejectionReasons.StaleTimestamp);
        rejection.Detail.ShouldContain(said);
    }

    [Fact]
    public void a_timestamp_in_milliseconds_is_read_as_milliseconds()
    {
        var parameters = Report("m-7");
        var ms = Now.AddSeconds(-10).ToUnixTimeMilliseconds();
        var signature = HmacSha256Hex("s1", $"{ms}\nn-7\n{Sorted(parameters)}");
        var accepted = ShouldBeAccepted(Adapter.Handle(
            Request(Form(parameters), FormType, ("X-Timestamp", $"{ms}"), ("X-Nonce", "n-7"), ("X-Signature", signature)), Account(), Now));
        accepted.Nonce!.ExpiresAt.ShouldBe(Now.AddSeconds(290));
    }

    [Fact]
    public void ignore_timestamp_mode_accepts_an_old_but_authentic_request_for_audit_and_replay()
    {
        var (body, headers) = DefaultForm(Report("m-8"), at: Now.AddDays(-3));
        ShouldBeAccepted(Adapter.Handle(Request(body, FormType, headers), Account(options: ("VerifyMode", "ignore-timestamp")), Now));
    }

    [Theory]
    [InlineData("X-Signature", "X-Signature")]
    [InlineData("X-Timestamp", "X-Timestamp")]
    [InlineData("X-Nonce", "X-Nonce")]
    public void a_missing_signature_timestamp_or_nonce_is_refused_naming_the_header(string left, string named)
    {
        var (body, headers) = DefaultForm(Report("m-9"));
        var rejection = ShouldBeRejected(
            Adapter.Handle(Request(body, FormType, [.. headers.Where(h => h.Name != left)]), Account(), Now), RejectionReasons.BadSignature);
        rejection.Detail.ShouldContain("missing");
        rejection.Detail.ShouldContain(named);
    }

    [Fact]
    public void an_account_without_secrets_is_refused_naming_the_configuration_key()
    {
        var (body, headers) = DefaultForm(Report("m-10"));
        var rejection = ShouldBeRejected(Adapter.Handle(Request(body, FormType, headers), Account(secrets: []), Now), RejectionReasons.BadSignature);
        rejection.Detail.ShouldContain("Ledger__Providers__generic__test__Secrets__0");
    }

    [Fact]
    public void an_api_key_option_is_never_used_as_the_signing_secret()
    {
        var (body, headers) = DefaultForm(Report("m-11"), secret: "key-1");
        ShouldBeRejected(Adapter.Handle(Request(body, FormType, headers), Account(secrets: [], options: ("ApiKey", "key-1")), Now),
            RejectionReasons.BadSignature);
    }

    [Fact]
    public void an_unknown_signature_method_is_refused_naming_the_configuration_key()
    {
        var (body, headers) = DefaultForm(Report("m-12"));
        ShouldBeRejected(Adapter.Handle(Request(body, FormType, headers), Account(method: "sha1"), Now), RejectionReasons.BadSignature)
            .Detail.ShouldContain("Ledger__Providers__generic__test__SignatureMethod");
    }

    [Fact]
    public void md5_with_the_signature_in_a_body_parameter_signs_the_other_parameters()
    {
        (string, string)[] parameters = [("msgid", "m-13"), ("stat", "DELIVRD"), ("tag", "a b&c")];
        var ts = Epoch(Now);
        var sign = Md5Hex(WithHeaders(ts, "n-13", Sorted(parameters)), "secret-md5");
        var body = Form([("sign", sign), .. parameters]);

        var accepted = ShouldBeAccepted(Adapter.Handle(
            Request(body, FormType, ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-13")),
            Account(method: "md5", secrets: ["secret-md5"], options: ("SignatureParam", "sign")), Now));
        accepted.Items.Single().MessageKey.ShouldBe("m-13");
    }

    [Fact]
    public void hmac_sha1_in_base64_over_the_raw_body_verifies_a_json_batch()
    {
        var body = """[{"msgid":"b-1","stat":"DELIVRD"},{"msgid":"b-2","stat":"UNDELIV"}]""";
        var ts = Epoch(Now);
        var signature = HmacSha1Base64("s1", Encoding.UTF8.GetBytes($"{ts}\nn-14\n{body}"));

        var accepted = ShouldBeAccepted(Adapter.Handle(
            Request(body, "application/json", ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-14"), ("X-Signature", signature)),
            Account(method: "hmac-sha1", options: [("StringToSign", "raw-body"), ("SignatureEncoding", "base64")]), Now));

        accepted.Items.Select(i => (i.MessageKey, i.Report.Status)).ShouldBe([("b-1", DeliveryStatus.Delivered), ("b-2", DeliveryStatus.Failed)]);
        accepted.Items[0].RawItem.ShouldBe("""{"msgid":"b-1","stat":"DELIVRD"}""");
    }

    [Fact]
    public void a_batch_cannot_be_verified_with_sorted_parameters_and_says_which_option_to_set()
    {
        var body = """[{"msgid":"b-3","stat":"DELIVRD"}]""";
        var ts = Epoch(Now);
        var signature = HmacSha256Hex("s1", WithHeaders(ts, "n-15", body));
        ShouldBeRejected(Adapter.Handle(
            Request(body, "application/json", ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-15"), ("X-Signature", signature)), Account(), Now),
            RejectionReasons.BadSignature).Detail.ShouldContain("StringToSign");
    }

    [Fact]
    public void a_json_string_and_a_json_number_sign_differently()
    {
        var ts = Epoch(Now);
        var asString = """{"msgid":"j-1","stat":"DELIVRD","parts":"1"}""";
        var asNumber = """{"msgid":"j-1","stat":"DELIVRD","parts":1}""";
        var stringSignature = HmacSha256Hex("s1", WithHeaders(ts, "n-16", "msgid=\"j-1\"&parts=\"1\"&stat=\"DELIVRD\""));
        var numberSignature = HmacSha256Hex("s1", WithHeaders(ts, "n-16", "msgid=\"j-1\"&parts=1&stat=\"DELIVRD\""));
        stringSignature.ShouldNotBe(numberSignature);

        AdapterResult Post(string body, string signature) => Adapter.Handle(
            Request(body, "application/json", ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-16"), ("X-Signature", signature)), Account(), Now);

        ShouldBeAccepted(Post(asString, stringSignature)).Items.Single().Report.BilledParts.ShouldBe(1);
        ShouldBeAccepted(Post(asNumber, numberSignature)).Items.Single().Report.BilledParts.ShouldBe(1);
        ShouldBeRejected(Post(asNumber, stringSignature), RejectionReasons.BadSignature);
        ShouldBeRejected(Post(asString, numberSignature), RejectionReasons.BadSignature);
    }

    [Fact]
    public void json_string_escapes_are_signed_as_sent_not_as_decoded()
    {
        var ts = Epoch(Now);
        var body = """{"msgid":"j-2","stat":"DELIVRD","text":"\u4e2d\/x"}""";
        var signature = HmacSha256Hex("s1", WithHeaders(ts, "n-17", """msgid="j-2"&stat="DELIVRD"&text="\u4e2d\/x" """.TrimEnd()));
        ShouldBeAccepted(Adapter.Handle(
            Request(body, "application/json", ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-17"), ("X-Signature", signature)), Account(), Now));
    }

    [Fact]
    public void unquoted_json_values_sign_strings_without_their_quotes_so_string_and_number_collide()
    {
        var ts = Epoch(Now);
        var signature = HmacSha256Hex("s1", WithHeaders(ts, "n-18", "msgid=j-3&parts=1&stat=DELIVRD"));
        foreach (var body in new[] { """{"msgid":"j-3","stat":"DELIVRD","parts":"1"}""", """{"msgid":"j-3","stat":"DELIVRD","parts":1}""" })
        {
            ShouldBeAccepted(Adapter.Handle(
                Request(body, "application/json", ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-18"), ("X-Signature", signature)),
                Account(options: ("JsonValues", "unquoted")), Now));
        }
    }

    [Fact]
    public void duplicate_json_names_are_refused_so_the_signed_and_the_read_value_are_the_same()
    {
        var ts = Epoch(Now);
        var body = """{"msgid":"j-4","stat":"UNDELIV","stat":"DELIVRD"}""";
        var signature = HmacSha256Hex("s1", WithHeaders(ts, "n-19", "msgid=\"j-4\"&stat=\"UNDELIV\"&stat=\"DELIVRD\""));
        ShouldBeRejected(Adapter.Handle(
            Request(body, "application/json", ("X-Timestamp", $"{ts}"), ("X-Nonce", "n-19"), ("X-Signature", signature)), Account(), Now),
            RejectionReasons.Malformed, 400);
    }

    [Fact]
    public void headers_can_be_switched_off_and_then_no_nonce_is_claimed()
    {
        var parameters = Report("m-20");
        var signature = HmacSha256Hex("s1", Sorted(parameters));
        var accepted = ShouldBeAccepted(Adapter.Handle(
            Request(Form(parameters), FormType, ("X-Signature", signature)),
            Account(options: [("SignedHeaders", "none"), ("TimestampHeader", "none"), ("NonceHeader", "none")]), Now));
        accepted.Nonce.ShouldBeNull();
    }

    [Theory]
    [InlineData("sha256=")]
    [InlineData("SHA256=")]
    [InlineData("sha256= ")]
    public void a_configured_prefix_is_required_in_any_case_and_stripped_before_decoding(string sent)
    {
        var (body, headers) = DefaultForm(Report("p-1"));
        headers[2] = ("X-Signature", sent + headers[2].Value);
        ShouldBeAccepted(Adapter.Handle(Request(body, FormType, headers), Account(options: ("SignaturePrefix", "sha256=")), Now));
    }

    [Fact]
    public void a_signature_without_the_configured_prefix_is_refused_naming_the_option()
    {
        var (body, headers) = DefaultForm(Report("p-2"));
        ShouldBeRejected(Adapter.Handle(Request(body, FormType, headers), Account(options: ("SignaturePrefix", "sha256=")), Now), RejectionReasons.BadSignature)
            .Detail.ShouldContain("SignaturePrefix");
    }

    [Fact]
    public void a_prefix_applies_to_a_signature_in_a_body_parameter_too()
    {
        (string, string)[] parameters = [("msgid", "p-3"), ("stat", "DELIVRD")];
        var sign = "v1:" + HmacSha256Hex("s1", Sorted(parameters));
        var account = Account(options: [("SignatureParam", "sign"), ("SignaturePrefix", "v1:"), ("SignedHeaders", "none"), ("TimestampHeader", "none"), ("NonceHeader", "none")]);
        ShouldBeAccepted(Adapter.Handle(Request(Form([.. parameters, ("sign", sign)]), FormType), account, Now));
    }

    [Fact]
    public void a_report_in_the_query_is_signed_without_the_query_signature_parameter()
    {
        (string, string)[] parameters = [("msgid", "q-1"), ("stat", "DELIVRD"), ("tag", "a b&c")];
        var sign = HmacSha256Hex("s1", WithHeaders(Epoch(Now), "n-q1", Sorted(parameters)));
        var request = Request("GET", Form([("sign", sign), .. parameters]), "", null, ("X-Timestamp", $"{Epoch(Now)}"), ("X-Nonce", "n-q1"));

        var accepted = ShouldBeAccepted(Adapter.Handle(request, Account(options: ("SignatureQueryParam", "sign")), Now));

        accepted.Items.Single().MessageKey.ShouldBe("q-1");
        accepted.Items.Single().RawItem.ShouldBe(Form([("sign", sign), .. parameters]));
    }

    [Fact]
    public void a_query_signature_beside_a_body_signs_the_whole_body()
    {
        // The body's own `sign` field is not the signature's place, so it stays among the signed parameters.
        (string, string)[] parameters = [("msgid", "q-2"), ("stat", "DELIVRD"), ("sign", "a body field")];
        var sign = HmacSha256Hex("s1", WithHeaders(Epoch(Now), "n-q2", Sorted(parameters)));
        var request = Request("POST", $"sign={sign}", Form(parameters), FormType, ("X-Timestamp", $"{Epoch(Now)}"), ("X-Nonce", "n-q2"));

        ShouldBeAccepted(Adapter.Handle(request, Account(options: ("SignatureQueryParam", "sign")), Now));
    }

    [Fact]
    public void a_report_in_the_query_cannot_be_covered_by_a_raw_body_signature()
    {
        var sign = HmacSha256Hex("s1", WithHeaders(Epoch(Now), "n-q3", ""));
        var request = Request("GET", $"msgid=q-3&stat=DELIVRD&sign={sign}", "", null, ("X-Timestamp", $"{Epoch(Now)}"), ("X-Nonce", "n-q3"));

        ShouldBeRejected(Adapter.Handle(request, Account(options: [("SignatureQueryParam", "sign"), ("StringToSign", "raw-body")]), Now), RejectionReasons.BadSignature)
            .Detail.ShouldContain("StringToSign");
    }

    [Fact]
    public void a_form_whose_field_holds_a_json_batch_is_signed_as_a_form()
    {
        var json = """[{"msgid":"f-1","stat":"DELIVRD"},{"msgid":"f-2","stat":"UNDELIV"}]""";
        var signature = HmacSha256Hex("s1", WithHeaders(Epoch(Now), "n-f1", $"sms_status={json}"));

        var accepted = ShouldBeAccepted(Adapter.Handle(
            Request(Form([("sms_status", json)]), FormType, ("X-Timestamp", $"{Epoch(Now)}"), ("X-Nonce", "n-f1"), ("X-Signature", signature)),
            Account(options: ("JsonFormField", "sms_status")), Now));

        accepted.Items.Select(i => i.MessageKey).ShouldBe(["f-1", "f-2"]);
        accepted.Items[1].RawItem.ShouldBe("""{"msgid":"f-2","stat":"UNDELIV"}""");
    }

    [Fact]
    public void an_unsigned_account_is_guarded_by_its_token_and_claims_no_nonce()
    {
        var account = Account(method: "none", secrets: []);
        account.Token = "t0k";
        var body = """[{"msgid":"u-1","stat":"DELIVRD"}]""";

        ShouldBeAccepted(Adapter.Handle(Request("POST", "token=t0k", body, "application/json"), account, Now)).Nonce.ShouldBeNull();
        ShouldBeRejected(Adapter.Handle(Request("POST", "token=other", body, "application/json"), account, Now), RejectionReasons.BadToken);
    }
}
