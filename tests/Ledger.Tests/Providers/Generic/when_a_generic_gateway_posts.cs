using System.Text;
using System.Text.Json;
using Ledger.Providers;
using Ledger.Tests.Support;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

/// <summary>
/// Through the real host and PostgreSQL, with the accounts in Accounts/generic.json. The `md5` and
/// `batch` accounts sign a timestamp but no nonce, so their acceptance does not depend on the nonce store.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_generic_gateway_posts(LedgerFixture fixture)
{
    private static (string Body, (string Name, string Value)[] Headers) SignedForm(string id, string secret = "s1", DateTimeOffset? at = null) =>
        DefaultForm(Report(id), secret, at ?? DateTimeOffset.UtcNow);

    [Fact]
    public async Task a_signed_form_report_is_acknowledged_with_the_configured_reply_and_reads_back()
    {
        var id = Payloads.NewId();
        var (body, headers) = SignedForm(id);

        var (status, reply, contentType) = await fixture.Host.PostSignedAsync("/callbacks/generic", body, FormType, headers);

        status.ShouldBe(200);
        reply.ShouldBe("OK");
        contentType!.ShouldContain("text/plain");
        var (found, message) = await fixture.Host.GetJsonAsync($"/messages/generic/{id}");
        found.ShouldBe(200);
        message.GetProperty("status").GetString().ShouldBe("delivered");
        message.GetProperty("final").GetBoolean().ShouldBeTrue();
        message.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:00Z"));
        message.GetProperty("billedParts").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_signed_json_report_with_an_md5_sign_parameter_is_accepted()
    {
        var id = Payloads.NewId();
        var ts = Epoch(DateTimeOffset.UtcNow);
        var fields = $$"""{"mid":"{{id}}","status":"UNDELIV","time":"2026-11-25 02:32:05","phone":"13800138001"}""";
        var sign = Md5Hex($"{ts}\n" + $"mid=\"{id}\"&phone=\"13800138001\"&status=\"UNDELIV\"&time=\"2026-11-25 02:32:05\"", "m5-secret");
        var body = fields.TrimEnd('}') + $",\"sign\":\"{sign}\"}}";

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/md5", body, "application/json",
            [("X-Timestamp", $"{ts}")]);

        status.ShouldBe(200, reply);
        reply.ShouldBe("SUCCESS");
        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/generic/{id}");
        message.GetProperty("status").GetString().ShouldBe("failed");
        message.GetProperty("errorCode").GetString().ShouldBe("UNDELIV");
        message.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
    }

    [Fact]
    public async Task a_json_batch_signed_over_the_raw_body_is_accepted_item_by_item()
    {
        var (first, second) = (Payloads.NewId(), Payloads.NewId());
        var ts = Epoch(DateTimeOffset.UtcNow);
        var body = $$"""[{"msgid":"{{first}}","stat":"DELIVRD"},{"msgid":"{{second}}","stat":"ENROUTE"}]""";
        var signature = HmacSha1Base64("b1", Encoding.UTF8.GetBytes($"{ts}\n{body}"));

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/batch", body, "application/json",
            [("X-Timestamp", $"{ts}"), ("X-Signature", signature)]);

        status.ShouldBe(200, reply);
        (await fixture.Host.GetJsonAsync($"/messages/generic/{first}")).Json.GetProperty("status").GetString().ShouldBe("delivered");
        (await fixture.Host.GetJsonAsync($"/messages/generic/{second}")).Json.GetProperty("status").GetString().ShouldBe("pending");
    }

    [Fact]
    public async Task a_report_signed_with_the_previous_secret_still_verifies()
    {
        var id = Payloads.NewId();
        var ts = Epoch(DateTimeOffset.UtcNow);
        (string, string)[] parameters = [("mid", id), ("status", "DELIVRD")];
        var body = Form([.. parameters, ("sign", Md5Hex($"{ts}\n{Sorted(parameters)}", "m5-old"))]);

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/md5", body, FormType, [("X-Timestamp", $"{ts}")]);

        status.ShouldBe(200, reply);
        (await fixture.Host.GetJsonAsync($"/messages/generic/{id}")).Json.GetProperty("status").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task a_wrong_signature_gets_401_is_quarantined_and_creates_no_message()
    {
        var id = Payloads.NewId();
        var (body, headers) = SignedForm(id, secret: "not-the-secret");

        var (status, problem, contentType) = await fixture.Host.PostSignedAsync("/callbacks/generic", body, FormType, headers);

        status.ShouldBe(401);
        contentType!.ShouldContain("application/problem+json");
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/generic/{id}")).Status.ShouldBe(404);
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(600)]
    public async Task a_stale_or_future_timestamp_gets_401_and_is_quarantined(int offsetSeconds)
    {
        var (body, headers) = SignedForm(Payloads.NewId(), at: DateTimeOffset.UtcNow.AddSeconds(offsetSeconds));

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic", body, FormType, headers);

        status.ShouldBe(401);
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.StaleTimestamp);
    }

    [Fact]
    public async Task a_reused_nonce_is_refused_on_the_second_post()
    {
        var id = Payloads.NewId();
        var (body, headers) = SignedForm(id);

        (await fixture.Host.PostSignedAsync("/callbacks/generic", body, FormType, headers)).Status.ShouldBe(200);
        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic", body, FormType, headers);

        status.ShouldBe(401);
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.ReusedNonce);
        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/generic/{id}");
        message.GetProperty("callbackCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task an_account_without_a_secret_gets_401_naming_the_configuration_key()
    {
        var (body, headers) = DefaultForm(Report(Payloads.NewId()), secret: "an-api-key-is-not-a-secret", at: DateTimeOffset.UtcNow);

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/unset", body, FormType, headers);

        status.ShouldBe(401);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("Ledger__Providers__generic__unset__Secrets__0");
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadSignature);
    }
}
