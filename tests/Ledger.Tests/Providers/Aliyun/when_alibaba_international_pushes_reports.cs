using System.Text.Json;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Aliyun;

/// <summary>Through the host, on the `intl` account of Accounts/aliyun.json (Options:Variant = international).</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_alibaba_international_pushes_reports(LedgerFixture fixture)
{
    [Fact]
    public async Task a_batch_is_acknowledged_with_alibabas_reply_and_every_report_reads_back_by_message_id()
    {
        var delivered = Payloads.NewId();
        var expired = Payloads.NewId();
        var body = Payloads.Array(
            AliyunInternationalPayloads.Item(delivered),
            AliyunInternationalPayloads.Item(expired, "6", "Thu, 25 Nov 2021 11:25:33 +0800", errorCode: "EXPIRED"));

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/aliyun/intl", body);

        status.ShouldBe(200);
        reply.ShouldBe("""{"code":0,"msg":"接收成功"}""");
        contentType!.ShouldContain("application/json");

        var (found, first) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{delivered}");
        found.ShouldBe(200);
        first.GetProperty("status").GetString().ShouldBe("delivered");
        first.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2021-11-25T02:25:33Z"));
        first.GetProperty("billedParts").GetInt32().ShouldBe(2);
        first.GetProperty("outId").GetString().ShouldBe("67890");
        first.GetProperty("parserVersion").GetString().ShouldBe("aliyun-intl/1");

        var (_, second) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{expired}");
        second.GetProperty("status").GetString().ShouldBe("failed");
        second.GetProperty("final").GetBoolean().ShouldBeTrue();
        second.GetProperty("errorCode").GetString().ShouldBe("EXPIRED");
        second.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2021-11-25T03:25:33Z"));
    }

    [Fact]
    public async Task the_domestic_route_still_reads_domestic_reports_next_to_the_international_account()
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000001", true)))).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000001")).Json.GetProperty("status").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task an_unreadable_receive_date_is_refused_and_quarantined()
    {
        var id = Payloads.NewId();
        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/aliyun/intl",
            Payloads.Array(AliyunInternationalPayloads.Item(id, receiveDate: "2021-11-25 10:25:33")));

        status.ShouldBe(400);
        var requestId = JsonDocument.Parse(problem).RootElement.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record!.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(RejectionReasons.BadTime);
        record.Account.ShouldBe("intl");
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{id}")).Status.ShouldBe(404);
    }
}
