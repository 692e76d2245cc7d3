using System.Text.Json;
using Ledger.Providers;
using Ledger.Tests.Support;
using static Ledger.Tests.Providers.Twilio.TwilioRequests;

namespace Ledger.Tests.Providers.Twilio;

/// <summary>Through the real pipeline; the shared host's twilio accounts are in Accounts/twilio.json.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_twilio_reports_a_status(LedgerFixture fixture)
{
    private Task<(int Status, string Body, string? ContentType)> Post(List<KeyValuePair<string, string>> parameters, string signature,
        string path = "/callbacks/twilio", string? body = null) =>
        fixture.Host.PostFormAsync(path, body ?? FormBody(parameters), [new("X-Twilio-Signature", signature)]);

    [Fact]
    public async Task a_signed_status_callback_is_acknowledged_with_an_empty_200_and_reads_back()
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "undelivered", errorCode: "30003", rawDlrDoneDate: "2611251032");

        var (status, reply, _) = await Post(parameters, Sign("new-token", LocalUrl, parameters));

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("providerStatus").GetString().ShouldBe("undelivered");
        view.GetProperty("errorCode").GetString().ShouldBe("30003");
        view.GetProperty("phone").GetString().ShouldBe("+141****0100");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T10:32:00Z"));
    }

    [Fact]
    public async Task a_late_sent_never_overwrites_delivered()
    {
        var sid = NewSid();
        var delivered = StatusCallback(sid, "delivered");
        var sent = StatusCallback(sid, "sent");

        (await Post(delivered, Sign("new-token", LocalUrl, delivered))).Status.ShouldBe(200);
        (await Post(sent, Sign("new-token", LocalUrl, sent))).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task the_previous_auth_token_still_verifies_during_rotation()
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "delivered");

        (await Post(parameters, Sign("old-token", LocalUrl, parameters))).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task the_query_string_is_part_of_the_signed_url()
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "delivered");

        (await Post(parameters, Sign("new-token", LocalUrl + "?tenant=7", parameters), "/callbacks/twilio?tenant=7")).Status.ShouldBe(200);
        (await Post(parameters, Sign("new-token", LocalUrl, parameters), "/callbacks/twilio?tenant=7")).Status.ShouldBe(401);
    }

    [Fact]
    public async Task a_parameter_twilio_adds_later_is_signed_like_the_others_and_still_verifies()
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "delivered");
        parameters.Add(new("ChannelPrefix", "sms"));
        parameters.Add(new("A_Brand_New_Field", "with spaces & symbols = +"));

        (await Post(parameters, Sign("new-token", LocalUrl, parameters))).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_wrong_signature_gets_401_and_is_kept_in_quarantine_without_a_message()
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "delivered");

        var (status, problem, contentType) = await Post(parameters, Sign("not-the-token", LocalUrl, parameters));

        status.ShouldBe(401);
        contentType!.ShouldContain("application/problem+json");
        var record = await fixture.QuarantinedRecord(problem);
        record.Reason.ShouldBe(RejectionReasons.BadSignature);
        record.Verification.ShouldBe(RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_one_byte_change_to_a_signed_body_fails_verification()
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "undelivered", errorCode: "30003");
        var signature = Sign("new-token", LocalUrl, parameters);
        var tampered = FormBody(parameters).Replace("30003", "30004", StringComparison.Ordinal);

        var (status, problem, _) = await Post(parameters, signature, body: tampered);

        status.ShouldBe(401);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task an_account_without_an_auth_token_gets_401_naming_the_setting()
    {
        var parameters = StatusCallback(NewSid(), "delivered");

        var (status, problem, _) = await Post(parameters, Sign("new-token", LocalUrl + "/unconfigured", parameters), "/callbacks/twilio/unconfigured");

        status.ShouldBe(401);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("Ledger__Providers__twilio__unconfigured__Secrets__0");
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    /// <summary>A JSON POST to the path + query of <paramref name="calledUrl"/>, signed over <paramref name="signedUrl"/> alone.</summary>
    private Task<(int Status, string Body, string? ContentType)> PostJson(string body, string calledUrl, string signedUrl) =>
        fixture.Host.PostFormAsync(calledUrl[LocalUrl.IndexOf("/callbacks", StringComparison.Ordinal)..], body,
            [new("X-Twilio-Signature", Sign("new-token", signedUrl, []))], contentType: "application/json");

    [Fact]
    public async Task a_json_body_signed_with_body_sha256_is_acknowledged_and_reads_back()
    {
        var sid = NewSid();
        var body = JsonStatusCallback(sid, "undelivered", errorCode: 30007);
        var url = WithBodyHash(LocalUrl, body);

        var (status, reply, _) = await PostJson(body, url, url);

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("errorCode").GetString().ShouldBe("30007");
        view.GetProperty("parserVersion").GetString().ShouldBe("twilio/2");
    }

    [Fact]
    public async Task a_json_body_changed_by_one_byte_gets_401_body_hash_mismatch_and_is_kept_in_quarantine()
    {
        var sid = NewSid();
        var body = JsonStatusCallback(sid, "undelivered", errorCode: 30003);
        var url = WithBodyHash(LocalUrl, body);
        var tampered = body.Replace("30003", "30004", StringComparison.Ordinal);

        var (status, problem, contentType) = await PostJson(tampered, url, url);

        status.ShouldBe(401);
        contentType!.ShouldContain("application/problem+json");
        var record = await fixture.QuarantinedRecord(problem);
        record.Reason.ShouldBe(RejectionReasons.BodyHashMismatch);
        System.Text.Encoding.UTF8.GetString(record.Body).ShouldBe(tampered);
        (await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_json_body_whose_signature_leaves_out_body_sha256_gets_401_and_is_kept_in_quarantine()
    {
        var sid = NewSid();
        var body = JsonStatusCallback(sid, "delivered");

        var (status, problem, _) = await PostJson(body, WithBodyHash(LocalUrl, body), LocalUrl);

        status.ShouldBe(401);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_json_body_without_body_sha256_gets_401_and_is_kept_in_quarantine()
    {
        var (status, problem, _) = await PostJson("""{"MessageSid":"SM1"}""", LocalUrl, LocalUrl);

        status.ShouldBe(401);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("bodySHA256");
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public async Task a_verified_json_body_of_another_shape_gets_400_and_is_kept_in_quarantine()
    {
        var body = """{"type":"com.twilio.messaging.message.delivered","data":{"messageSid":"SM1"}}""";
        var url = WithBodyHash(LocalUrl, body);

        var (status, problem, _) = await PostJson(body, url, url);

        status.ShouldBe(400);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Fact]
    public async Task a_body_that_is_neither_form_nor_signed_json_gets_400_wrong_content_type_and_is_kept_in_quarantine()
    {
        var (status, problem, _) = await fixture.Host.PostFormAsync("/callbacks/twilio", "<MessageSid>SM1</MessageSid>",
            [new("X-Twilio-Signature", "x")], contentType: "text/xml");

        status.ShouldBe(400);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.WrongContentType);
    }
}
