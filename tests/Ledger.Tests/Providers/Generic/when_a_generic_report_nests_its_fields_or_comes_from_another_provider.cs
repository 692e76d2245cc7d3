using System.Text;
using System.Text.Json;
using Ledger.Providers;
using Ledger.Tests.Support;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

/// <summary>
/// Through the real host and PostgreSQL, with the accounts in Accounts/generic.json: `nested` reads its
/// fields by dot-separated paths; `volcengine` and `yunpian` are the configurations README.md gives for
/// those providers (README.md, Providers), with the field names of their documentation.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_generic_report_nests_its_fields_or_comes_from_another_provider(LedgerFixture fixture)
{
    [Fact]
    public async Task fields_named_by_a_dot_separated_path_are_read_from_nested_objects()
    {
        var id = Payloads.NewId();
        var ts = Epoch(DateTimeOffset.UtcNow);
        var body = $$"""
            {"event":"report","data":{"msgid":"{{id}}","status":"DELIVRD","ref":"order-42",
             "report":{"done_at":"2026-11-25 10:32:05","mobile":"13800138000","parts":3} } }
            """;
        var signature = HmacSha256Hex("n-secret", Encoding.UTF8.GetBytes($"{ts}\n{body}"));

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/nested", body, "application/json",
            [("X-Timestamp", $"{ts}"), ("X-Signature", signature)]);

        status.ShouldBe(200, reply);
        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/generic/{id}", LedgerApi.AdminKey);
        message.GetProperty("status").GetString().ShouldBe("delivered");
        message.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        message.GetProperty("phone").GetString().ShouldBe("13800138000");
        message.GetProperty("outId").GetString().ShouldBe("order-42");
        message.GetProperty("billedParts").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task a_nested_id_that_is_missing_gets_400_naming_the_path()
    {
        var ts = Epoch(DateTimeOffset.UtcNow);
        var body = """{"data":{"status":"DELIVRD"}}""";
        var signature = HmacSha256Hex("n-secret", Encoding.UTF8.GetBytes($"{ts}\n{body}"));

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/nested", body, "application/json",
            [("X-Timestamp", $"{ts}"), ("X-Signature", signature)]);

        status.ShouldBe(400);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("'data.msgid'");
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.MissingId);
    }

    [Fact]
    public async Task a_volcengine_json_array_with_epoch_millisecond_times_is_read_item_by_item()
    {
        var (delivered, failed) = (Payloads.NewId(), Payloads.NewId());
        string Item(string messageId, string statusCode, string description) => $$"""
            {"account":"AC0001","sub_account":"sub-1","status_code":"{{statusCode}}","description":"{{description}}","signature":"火山引擎",
             "template_id":"ST_0001","mobile":"13800138000","channel_type":"CN_NTC","message_id":"{{messageId}}","msg_count":2,
             "service_id":"SV0001","ext":"order-8","send_time":1795573920000,"recv_time":1795573925000,"mccmnc":"46000","iso_code":"CN"}
            """;
        var body = $"[{Item(delivered, "0", "Success")},{Item(failed, "1", "UNDELIV")}]";

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/volcengine?token=volc-token", body, "application/json;charset=utf-8", []);

        status.ShouldBe(200, reply);
        var (_, ok) = await fixture.Host.GetJsonAsync($"/messages/generic/{delivered}", LedgerApi.AdminKey);
        ok.GetProperty("status").GetString().ShouldBe("delivered");
        ok.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1795573925000));
        ok.GetProperty("billedParts").GetInt32().ShouldBe(2);
        ok.GetProperty("outId").GetString().ShouldBe("order-8");
        ok.GetProperty("description").GetString().ShouldBe("Success");
        var (_, bad) = await fixture.Host.GetJsonAsync($"/messages/generic/{failed}");
        bad.GetProperty("status").GetString().ShouldBe("failed");
        bad.GetProperty("errorCode").GetString().ShouldBe("1");
    }

    [Fact]
    public async Task a_volcengine_push_without_the_url_token_gets_401_and_is_quarantined()
    {
        var body = $$"""[{"message_id":"{{Payloads.NewId()}}","status_code":"0","recv_time":1795573925000}]""";

        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/volcengine", body, "application/json", []);

        status.ShouldBe(401);
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.BadToken);
    }

    [Fact]
    public async Task a_yunpian_form_whose_sms_status_field_holds_a_json_array_is_read_and_answered_success()
    {
        // sid is a long64: read as written, never through an int (README.md, Providers).
        var (delivered, failed) = (NewSid(), NewSid());
        var json = $$"""
            [{"sid":{{delivered}},"uid":"order-9","user_receive_time":"2026-11-25 10:32:05","error_msg":"DELIVRD","error_detail":"","mobile":"13800138000","report_status":"SUCCESS"},
             {"sid":{{failed}},"uid":"order-10","user_receive_time":"2026-11-25 10:33:00","error_msg":"DB:0103","error_detail":"用户停机","mobile":"13800138001","report_status":"FAIL"}]
            """;

        var (status, reply, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/yunpian?token=yp-token", Form([("sms_status", json)]),
            "application/x-www-form-urlencoded;charset=utf-8", []);

        status.ShouldBe(200, reply);
        reply.ShouldBe("SUCCESS");
        var (_, ok) = await fixture.Host.GetJsonAsync($"/messages/generic/{delivered}");
        ok.GetProperty("status").GetString().ShouldBe("delivered");
        ok.GetProperty("outId").GetString().ShouldBe("order-9");
        ok.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        var (_, bad) = await fixture.Host.GetJsonAsync($"/messages/generic/{failed}");
        bad.GetProperty("status").GetString().ShouldBe("failed");
        bad.GetProperty("providerStatus").GetString().ShouldBe("FAIL");
        bad.GetProperty("errorCode").GetString().ShouldBe("DB:0103");
        bad.GetProperty("description").GetString().ShouldBe("用户停机");
    }

    [Fact]
    public async Task a_yunpian_form_without_its_sms_status_field_gets_400_naming_it()
    {
        var (status, problem, _) = await fixture.Host.PostSignedAsync("/callbacks/generic/yunpian?token=yp-token", Form([("sid", NewSid())]), FormType, []);

        status.ShouldBe(400);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("'sms_status'");
        await fixture.ShouldBeQuarantinedAs(problem, RejectionReasons.Malformed);
    }

    private static string NewSid() => $"{Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue)}";
}
