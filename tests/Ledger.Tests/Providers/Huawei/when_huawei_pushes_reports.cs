using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Huawei;

[Collection(LedgerCollection.Name)]
public sealed class when_huawei_pushes_reports(LedgerFixture fixture)
{
    [Fact]
    public async Task a_single_form_report_is_acknowledged_with_an_empty_200_and_reads_back_in_utc()
    {
        var id = Payloads.NewId() + "_6";

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, extend: "order-42"), HuaweiRequests.Form);

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("providerStatus").GetString().ShouldBe("DELIVRD");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2018-04-13T06:31:46Z"));
        view.GetProperty("outId").GetString().ShouldBe("order-42");
        view.GetProperty("parserVersion").GetString().ShouldBe("huawei/2");
    }

    [Fact]
    public async Task a_status_report_list_is_acknowledged_once_and_every_report_reads_back()
    {
        var (a, b, c) = (Payloads.NewId(), Payloads.NewId(), Payloads.NewId());
        var body = HuaweiRequests.Batch(
            HuaweiRequests.BatchItem(a, "DELIVRD"),
            HuaweiRequests.BatchItem(b, "MK:0001"),
            HuaweiRequests.BatchItem(c, "SOMETHING_NEW"));

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/huawei", body, "application/json");

        status.ShouldBe(200);
        reply.ShouldBe("");
        (await fixture.Host.GetJsonAsync($"/messages/huawei/{a}")).Json.GetProperty("status").GetString().ShouldBe("delivered");
        var (_, failed) = await fixture.Host.GetJsonAsync($"/messages/huawei/{b}");
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("errorCode").GetString().ShouldBe("MK:0001");
        var (_, unknown) = await fixture.Host.GetJsonAsync($"/messages/huawei/{c}");
        unknown.GetProperty("status").GetString().ShouldBe("unknown");
        unknown.GetProperty("providerStatus").GetString().ShouldBe("SOMETHING_NEW");
    }

    [Fact]
    public async Task an_accepted_report_is_pending_until_the_final_one_arrives()
    {
        var id = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, status: "ACCEPTD", updateTime: "2018-04-13T06%3A31%3A00Z"), HuaweiRequests.Form)).Status.ShouldBe(200);
        var (_, pending) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}");
        pending.GetProperty("status").GetString().ShouldBe("pending");
        pending.GetProperty("final").GetBoolean().ShouldBeFalse();

        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, status: "UNDELIV", updateTime: "2018-04-13T06%3A35%3A00Z"), HuaweiRequests.Form)).Status.ShouldBe(200);
        var (_, failed) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}");
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("final").GetBoolean().ShouldBeTrue();
        failed.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2018-04-13T06:35:00Z"));
    }

    [Fact]
    public async Task a_long_message_is_billed_for_its_total_parts()
    {
        var id = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.Batch(HuaweiRequests.BatchItem(id, "DELIVRD", total: "3", sequence: "1")), "application/json")).Status.ShouldBe(200);

        (await fixture.Host.GetJsonAsync($"/messages/huawei/{id}")).Json.GetProperty("billedParts").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task the_delivered_reports_of_two_parts_are_two_reports_not_a_duplicate()
    {
        var id = Payloads.NewId();

        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, total: "2", sequence: "1"), HuaweiRequests.Form)).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, total: "2", sequence: "2"), HuaweiRequests.Form)).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("duplicateCount").GetInt32().ShouldBe(0);
        view.GetProperty("billedParts").GetInt32().ShouldBe(2);
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}/history");
        var reports = history.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "report_received").ToList();
        reports.Select(e => e.GetProperty("duplicate").GetBoolean()).ShouldBe([false, false]);
        // Support sees which part each report was about.
        reports.Select(e => $"{e.GetProperty("part").GetProperty("sequence").GetInt32()}/{e.GetProperty("part").GetProperty("total").GetInt32()}")
            .ShouldBe(["1/2", "2/2"]);
        history.GetProperty("events").EnumerateArray().Count().ShouldBe(2); // one event per report
    }

    [Fact]
    public async Task the_same_part_pushed_twice_is_a_duplicate()
    {
        var id = Payloads.NewId();
        var part2 = HuaweiRequests.SingleForm(id, total: "2", sequence: "2");

        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id, total: "2", sequence: "1"), HuaweiRequests.Form)).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/huawei", part2, HuaweiRequests.Form)).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/huawei", part2, HuaweiRequests.Form)).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(3);
        view.GetProperty("duplicateCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task parts_in_one_report_list_are_two_reports_and_a_whole_message_re_pushed_is_still_a_duplicate()
    {
        var (parts, whole) = (Payloads.NewId(), Payloads.NewId());
        var body = HuaweiRequests.Batch(
            HuaweiRequests.BatchItem(parts, "DELIVRD", total: "2", sequence: "1"),
            HuaweiRequests.BatchItem(parts, "DELIVRD", total: "2", sequence: "2"),
            HuaweiRequests.BatchItem(whole, "DELIVRD"),
            HuaweiRequests.BatchItem(whole, "DELIVRD"));

        (await fixture.Host.PostAsync("/callbacks/huawei", body, "application/json")).Status.ShouldBe(200);

        var (_, long_) = await fixture.Host.GetJsonAsync($"/messages/huawei/{parts}");
        long_.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        long_.GetProperty("duplicateCount").GetInt32().ShouldBe(0);
        var (_, single) = await fixture.Host.GetJsonAsync($"/messages/huawei/{whole}");
        single.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        single.GetProperty("duplicateCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task a_report_list_with_one_report_missing_its_id_appends_the_rest_and_quarantines_that_one()
    {
        var id = Payloads.NewId();
        var body = HuaweiRequests.Batch(HuaweiRequests.BatchItem(id, "DELIVRD"), """{"status":"DELIVRD"}""");

        var (status, _, _) = await fixture.Host.PostAsync("/callbacks/huawei", body, "application/json");

        status.ShouldBe(200);
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}/history");
        var requestId = history.GetProperty("events")[0].GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Accepted);
        record.ItemCount.ShouldBe(1);
        record.RefusedItems.Single().ShouldBe(new ItemRefusal(1, RejectionReasons.MissingId, record.RefusedItems[0].Detail));
        var quarantined = (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId, 1))).Single().Data.ShouldBeOfType<RequestQuarantined>();
        quarantined.ItemIndex.ShouldBe(1);
        quarantined.RawItem.ShouldBe("""{"status":"DELIVRD"}""");
    }
}
