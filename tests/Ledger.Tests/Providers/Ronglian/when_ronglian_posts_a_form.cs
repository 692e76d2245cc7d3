using Ledger.Tests.Support;

namespace Ledger.Tests.Providers.Ronglian;

/// <summary>
/// Form-encoded reports on the usual Ronglian route, read back through the public API only (the storage
/// behind it is not part of the contract).
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_ronglian_posts_a_form(LedgerFixture fixture)
{
    private const string Received = """{"statusCode":"000000"}""";

    [Fact]
    public async Task resp_code_000000_is_acknowledged_and_reads_back_delivered_in_utc()
    {
        var sid = Payloads.NewId();

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/ronglian", RonglianFormPayloads.Form(sid), RonglianFormPayloads.FormType);

        status.ShouldBe(200);
        reply.ShouldBe(Received);
        contentType!.ShouldContain("application/json");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("providerStatus").GetString().ShouldBe("000000");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        view.GetProperty("phone").GetString().ShouldBe("139****5678");
        view.GetProperty("parserVersion").GetString().ShouldBe("ronglian-form/1");
    }

    [Fact]
    public async Task another_resp_code_keyed_by_msg_id_reads_back_failed_with_the_code_kept()
    {
        var sid = Payloads.NewId();

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/ronglian",
            RonglianFormPayloads.Form(sid, "160038", "20261125103500", keyField: "msgId"), RonglianFormPayloads.FormType + "; charset=UTF-8");

        status.ShouldBe(200);
        reply.ShouldBe(Received);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}");
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("providerStatus").GetString().ShouldBe("160038");
        view.GetProperty("errorCode").GetString().ShouldBe("160038");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:35:00Z"));
    }

    [Fact]
    public async Task a_form_delivery_supersedes_an_earlier_json_failure_of_the_same_message()
    {
        var sid = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/ronglian", RonglianPayloads.Json(sid, "1", "MK:0001"))).Status.ShouldBe(200);

        (await fixture.Host.PostAsync("/callbacks/ronglian", RonglianFormPayloads.Form(sid), RonglianFormPayloads.FormType)).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("parserVersion").GetString().ShouldBe("ronglian-form/1");
    }

    [Fact]
    public async Task a_form_without_resp_code_gets_400_and_is_kept_in_quarantine()
    {
        var sid = Payloads.NewId();
        var body = $"mobile=13912345678&reportTime=20261125103205&smsMessageSid={sid}";

        var (status, problem, contentType) = await fixture.Host.PostAsync("/callbacks/ronglian", body, RonglianFormPayloads.FormType);

        status.ShouldBe(400);
        contentType!.ShouldContain("application/problem+json");
        var read = await fixture.Host.ShouldBeQuarantinedAsync("ronglian", problem, "malformed", body);
        read.GetProperty("detail").GetString()!.ShouldContain("respCode is required");
        (await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_form_without_a_message_key_gets_400_and_is_kept_in_quarantine()
    {
        var body = "respCode=000000&mobile=13912345678&reportTime=20261125103205";

        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/ronglian", body, RonglianFormPayloads.FormType);

        status.ShouldBe(400);
        await fixture.Host.ShouldBeQuarantinedAsync("ronglian", problem, "missing_id", body);
    }
}
