using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Baidu;

/// <summary>Through the shared host, whose `default` Baidu account has the tokens old-token and new-token (Accounts/baidu.json).</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_baidu_pushes_reports(LedgerFixture fixture)
{
    private async Task<RawRequestRecord> QuarantinedRecord(string problemBody, string reason)
    {
        var requestId = JsonDocument.Parse(problemBody).RootElement.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(reason);
        var events = await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId));
        events.Single().Data.ShouldBeOfType<RequestQuarantined>().Reason.ShouldBe(reason);
        return record;
    }

    private Task<(int Status, string Body)> Post(string body, DateTimeOffset signedAt, string token = "new-token", string url = "/callbacks/baidu")
    {
        var timestamp = BaiduRequests.Millis(signedAt);
        return fixture.Host.PostBaiduAsync(url, body, timestamp, BaiduRequests.Sign(token, timestamp, body));
    }

    [Fact]
    public async Task a_report_signed_with_the_rotated_token_is_acknowledged_with_an_empty_200_and_reads_back()
    {
        var id = Payloads.NewId();

        var (status, reply) = await Post(BaiduRequests.Report(id, segmentCount: "2"), DateTimeOffset.UtcNow);

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/baidu/{id}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("phone").GetString().ShouldBe("138****8000");
        view.GetProperty("outId").GetString().ShouldBe("order-7");
        view.GetProperty("billedParts").GetInt32().ShouldBe(2);
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2020-08-13T12:13:30Z"));
    }

    [Fact]
    public async Task a_report_signed_with_the_old_token_is_still_accepted_and_an_unknown_code_is_kept_as_unknown()
    {
        var id = Payloads.NewId();

        (await Post(BaiduRequests.Report(id, code: "9", carrierCode: "NEW:1"), DateTimeOffset.UtcNow, token: "old-token")).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/baidu/{id}");
        view.GetProperty("status").GetString().ShouldBe("unknown");
        view.GetProperty("providerStatus").GetString().ShouldBe("9");
    }

    [Fact]
    public async Task a_failed_report_carries_the_carrier_code()
    {
        var id = Payloads.NewId();
        (await Post(BaiduRequests.Report(id, code: "2", carrierCode: "MK:0005"), DateTimeOffset.UtcNow)).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/baidu/{id}");
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("errorCode").GetString().ShouldBe("MK:0005");
    }

    [Theory]
    [InlineData("1597320810000")]
    [InlineData("\"1597320810000\"")]
    public async Task a_deliver_time_in_epoch_milliseconds_sets_the_reported_time_in_utc(string deliverTimeJson)
    {
        var id = Payloads.NewId();

        (await Post(BaiduRequests.Report(id, deliverTimeJson: deliverTimeJson), DateTimeOffset.UtcNow)).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/baidu/{id}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2020-08-13T12:13:30Z"));
        view.GetProperty("parserVersion").GetString().ShouldBe("baidu/2");
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/baidu/{id}/history");
        history.ToString().ShouldContain("1597320810000");
    }

    [Fact]
    public async Task an_unreadable_deliver_time_gets_400_bad_time_and_the_request_is_kept_in_quarantine()
    {
        var id = Payloads.NewId();
        var body = BaiduRequests.Report(id, deliverTime: "13/08/2020 noon");

        var (status, problem) = await Post(body, DateTimeOffset.UtcNow);

        status.ShouldBe(400);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("13/08/2020 noon");
        var record = await QuarantinedRecord(problem, RejectionReasons.BadTime);
        System.Text.Encoding.UTF8.GetString(record.Body).ShouldBe(body);
        (await fixture.Host.GetJsonAsync($"/messages/baidu/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_wrong_signature_gets_401_is_quarantined_and_creates_no_message()
    {
        var id = Payloads.NewId();
        var body = BaiduRequests.Report(id);

        var (status, problem) = await Post(body, DateTimeOffset.UtcNow, token: "guessed-token");

        status.ShouldBe(401);
        problem.ShouldNotContain("new-token");
        var record = await QuarantinedRecord(problem, RejectionReasons.BadSignature);
        System.Text.Encoding.UTF8.GetString(record.Body).ShouldBe(body);
        (await fixture.Host.GetJsonAsync($"/messages/baidu/{id}")).Status.ShouldBe(404);
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(600)]
    public async Task a_stale_or_future_timestamp_gets_401_and_is_quarantined(int seconds)
    {
        var id = Payloads.NewId();

        var (status, problem) = await Post(BaiduRequests.Report(id), DateTimeOffset.UtcNow.AddSeconds(seconds));

        status.ShouldBe(401);
        await QuarantinedRecord(problem, RejectionReasons.StaleTimestamp);
        (await fixture.Host.GetJsonAsync($"/messages/baidu/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task missing_signature_headers_get_401_and_are_quarantined()
    {
        var (status, problem) = await fixture.Host.PostBaiduAsync("/callbacks/baidu", BaiduRequests.Report(Payloads.NewId()), timestamp: null, signature: null);

        status.ShouldBe(401);
        await QuarantinedRecord(problem, RejectionReasons.BadSignature);
    }

    [Fact]
    public async Task a_correctly_signed_body_that_is_not_json_gets_400_and_is_quarantined()
    {
        var (status, problem) = await Post("{\"messageId\": ", DateTimeOffset.UtcNow);

        status.ShouldBe(400);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("not valid JSON");
        await QuarantinedRecord(problem, RejectionReasons.Malformed);
    }

    [Fact]
    public async Task an_account_without_a_token_gets_401_naming_the_setting_to_configure()
    {
        var (status, problem) = await Post(BaiduRequests.Report(Payloads.NewId()), DateTimeOffset.UtcNow, url: "/callbacks/baidu/unset");

        status.ShouldBe(401);
        problem.ShouldContain("Ledger__Providers__baidu__unset__Secrets__0");
        await QuarantinedRecord(problem, RejectionReasons.BadSignature);
    }

    [Fact]
    public async Task the_audit_account_accepts_an_old_signed_report_because_it_ignores_the_timestamp_window()
    {
        var id = Payloads.NewId();

        (await Post(BaiduRequests.Report(id), DateTimeOffset.UtcNow.AddDays(-3), url: "/callbacks/baidu/audit")).Status.ShouldBe(200);

        (await fixture.Host.GetJsonAsync($"/messages/baidu/{id}")).Status.ShouldBe(200);
    }
}
