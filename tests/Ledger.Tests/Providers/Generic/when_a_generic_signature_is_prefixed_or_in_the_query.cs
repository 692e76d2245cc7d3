using System.Text;
using System.Text.Json;
using Ledger.Providers;
using Ledger.Tests.Support;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

/// <summary>
/// Through the real host and PostgreSQL, with the accounts in Accounts/generic.json: `prefixed` signs the
/// raw body GitHub-style (`X-Hub-Signature-256: sha256=&lt;hex&gt;`), `query` carries an MD5 signature in
/// the `sign` query parameter and signs `X-Timestamp` and the sorted report parameters.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_generic_signature_is_prefixed_or_in_the_query(LedgerFixture fixture)
{
    private static string Json(string id) => $$"""{"msgid":"{{id}}","stat":"DELIVRD","done_time":"2026-11-25 10:32:05","mobile":"13800138000"}""";

    private static string GitHubStyle(string body, string secret = "gh-secret") => "sha256=" + HmacSha256Hex(secret, Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task a_signature_with_the_configured_prefix_is_accepted()
    {
        var id = Payloads.NewId();
        var body = Json(id);

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/prefixed", body, "application/json",
            [("X-Hub-Signature-256", GitHubStyle(body))]);

        status.ShouldBe(200, reply);
        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/generic/{id}");
        message.GetProperty("status").GetString().ShouldBe("delivered");
        message.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
    }

    [Theory]
    [InlineData("missing", "")]
    [InlineData("wrong", "sha1=")]
    [InlineData("doubled", "sha256=sha256=")]
    public async Task a_signature_without_its_prefix_or_with_another_gets_401_is_quarantined_and_creates_no_message(string _, string prefix)
    {
        var id = Payloads.NewId();
        var body = Json(id);
        var signature = prefix + HmacSha256Hex("gh-secret", Encoding.UTF8.GetBytes(body)); // the right digest each time

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/prefixed", body, "application/json",
            [("X-Hub-Signature-256", signature)]);

        status.ShouldBe(401);
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/generic/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_prefixed_signature_of_another_body_gets_401()
    {
        var id = Payloads.NewId();

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/prefixed", Json(id), "application/json",
            [("X-Hub-Signature-256", GitHubStyle(Json(id).Replace("DELIVRD", "UNDELIV")))]);

        status.ShouldBe(401);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("does not match");
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadSignature);
    }

    [Fact]
    public async Task a_get_push_signed_in_the_query_is_accepted_and_the_sign_parameter_is_not_signed()
    {
        var id = Payloads.NewId();
        var ts = Epoch(DateTimeOffset.UtcNow);
        (string, string)[] report = [("msgid", id), ("stat", "UNDELIV"), ("done_time", "2611251032"), ("mobile", "13800138000")];
        var sign = Md5Hex($"{ts}\n{Sorted(report)}", "q-secret");

        var (status, reply, _) = await fixture.Host.GetSignedAsync($"/callbacks/generic/query?{Form([.. report, ("sign", sign)])}",
            [("X-Timestamp", $"{ts}")]);

        status.ShouldBe(200, reply);
        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/generic/{id}");
        message.GetProperty("status").GetString().ShouldBe("failed");
        message.GetProperty("errorCode").GetString().ShouldBe("UNDELIV");
    }

    [Fact]
    public async Task a_form_post_signed_in_the_query_is_accepted()
    {
        var id = Payloads.NewId();
        var ts = Epoch(DateTimeOffset.UtcNow);
        (string, string)[] report = [("msgid", id), ("stat", "DELIVRD")];
        var sign = Md5Hex($"{ts}\n{Sorted(report)}", "q-secret");

        var (status, reply, _) = await fixture.Host.PostSignedAsync($"/callbacks/generic/query?sign={sign}", Form(report), FormType,
            [("X-Timestamp", $"{ts}")]);

        status.ShouldBe(200, reply);
        (await fixture.Host.GetJsonAsync($"/messages/generic/{id}")).Json.GetProperty("status").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task a_query_report_changed_after_signing_gets_401_and_is_quarantined()
    {
        var id = Payloads.NewId();
        var ts = Epoch(DateTimeOffset.UtcNow);
        var sign = Md5Hex($"{ts}\n{Sorted([("msgid", id), ("stat", "UNDELIV")])}", "q-secret");

        var (status, problem, _) = await fixture.Host.GetSignedAsync($"/callbacks/generic/query?{Form([("msgid", id), ("stat", "DELIVRD"), ("sign", sign)])}",
            [("X-Timestamp", $"{ts}")]);

        status.ShouldBe(401);
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/generic/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_query_signature_that_is_missing_gets_401_naming_the_parameter()
    {
        var ts = Epoch(DateTimeOffset.UtcNow);

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/query", Form([("msgid", Payloads.NewId()), ("stat", "DELIVRD")]), FormType,
            [("X-Timestamp", $"{ts}"), ("X-Signature", "a-header-is-not-where-this-account-looks")]);

        status.ShouldBe(401);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("query parameter 'sign'");
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadSignature);
    }
}
