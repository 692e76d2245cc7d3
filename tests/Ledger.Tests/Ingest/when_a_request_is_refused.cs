using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Ingest;

[Collection(LedgerCollection.Name)]
public sealed class when_a_request_is_refused(LedgerFixture fixture)
{
    private async Task<RawRequestRecord> QuarantinedRecord(string problemBody)
    {
        var requestId = JsonDocument.Parse(problemBody).RootElement.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        var events = await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId));
        events.Single().Data.ShouldBeOfType<RequestQuarantined>().Reason.ShouldBe(record.Reason);
        return record;
    }

    [Fact]
    public async Task a_malformed_body_gets_400_and_is_kept_in_quarantine()
    {
        var (status, body, contentType) = await fixture.Host.PostAsync("/callbacks/aliyun", "[{\"biz_id\": ");

        status.ShouldBe(400);
        contentType!.ShouldContain("application/problem+json");
        JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!.ShouldContain("not valid JSON");
        var record = await QuarantinedRecord(body);
        record.Reason.ShouldBe(RejectionReasons.Malformed);
        System.Text.Encoding.UTF8.GetString(record.Body).ShouldBe("[{\"biz_id\": ");
    }

    [Fact]
    public async Task an_empty_array_is_refused()
    {
        var (status, body, _) = await fixture.Host.PostAsync("/callbacks/tencent", "[]");
        status.ShouldBe(400);
        (await QuarantinedRecord(body)).Reason.ShouldBe(RejectionReasons.EmptyBatch);
    }

    [Fact]
    public async Task an_unparseable_time_is_refused()
    {
        var (status, body, _) = await fixture.Host.PostAsync("/callbacks/aliyun",
            Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000071", true, reportTime: "yesterday")));
        status.ShouldBe(400);
        (await QuarantinedRecord(body)).Reason.ShouldBe(RejectionReasons.BadTime);
    }

    [Fact]
    public async Task an_unknown_provider_gets_404_and_is_on_record()
    {
        var (status, body, _) = await fixture.Host.PostAsync("/callbacks/nosuchsms", "{}");
        status.ShouldBe(404);
        JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!.ShouldContain("aliyun");
        (await QuarantinedRecord(body)).Reason.ShouldBe(RejectionReasons.UnknownProvider);
    }

    [Fact]
    public async Task an_unknown_account_gets_404()
    {
        var (status, body, _) = await fixture.Host.PostAsync("/callbacks/aliyun/nosuchaccount",
            Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000081", true)));
        status.ShouldBe(404);
        (await QuarantinedRecord(body)).Reason.ShouldBe(RejectionReasons.UnknownAccount);
    }

    [Fact]
    public async Task a_body_over_the_limit_gets_413_and_its_headers_are_kept()
    {
        var huge = "[" + new string(' ', 1024 * 1024 + 10) + "]";
        var (status, body, _) = await fixture.Host.PostAsync("/callbacks/aliyun", huge);
        status.ShouldBe(413);
        var record = await QuarantinedRecord(body);
        record.Reason.ShouldBe(RejectionReasons.TooLarge);
        record.BodyTruncated.ShouldBeTrue();
    }

    [Fact]
    public async Task a_quarantined_request_creates_no_message()
    {
        var biz = Payloads.NewId();
        var (status, _, _) = await fixture.Host.PostAsync("/callbacks/aliyun",
            "[" + Payloads.AliyunItem(biz, "13800000091", true) + ",]"); // not JSON (a trailing comma): nothing of it is read
        status.ShouldBe(400);
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000091")).Status.ShouldBe(404);
    }
}
