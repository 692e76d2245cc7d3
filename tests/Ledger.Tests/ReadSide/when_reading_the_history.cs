using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.ReadSide;

[Collection(LedgerCollection.Name)]
public sealed class when_reading_the_history(LedgerFixture fixture)
{
    [Fact]
    public async Task every_event_shows_in_order_with_duplicates_and_a_failure_after_delivered_marked()
    {
        var biz = Payloads.NewId();
        const string phone = "13800000301";
        var failed = Payloads.AliyunItem(biz, phone, success: false, reportTime: "2026-11-25 10:32:05", errCode: "MK:0001");
        foreach (var push in new[]
                 {
                     failed,
                     failed,
                     Payloads.AliyunItem(biz, phone, success: true, reportTime: "2026-11-25 10:33:00"),
                     Payloads.AliyunItem(biz, phone, success: false, reportTime: "2026-11-25 10:34:00", errCode: "MK:0002"),
                 })
        {
            (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(push))).Status.ShouldBe(200);
        }

        var (status, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}/history");

        status.ShouldBe(200);
        var events = history.GetProperty("events").EnumerateArray().ToList();
        // One event per report: the raw item and its reading.
        events.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 2, 3, 4]);
        events.Select(e => e.GetProperty("type").GetString()).Distinct().ShouldBe(["report_received"]);

        var reports = events;
        reports.Select(r => r.GetProperty("effect").GetString()).ShouldBe(["applied", "duplicate", "applied", "conflict"]);
        reports.Select(r => r.GetProperty("duplicate").GetBoolean()).ShouldBe([false, true, false, false]);
        reports.Select(r => r.GetProperty("conflict").GetBoolean()).ShouldBe([false, false, false, true]);
        reports.Select(r => r.GetProperty("status").GetString()).ShouldBe(["failed", "failed", "delivered", "failed"]);
        reports.Select(r => r.GetProperty("statusAfter").GetString()).ShouldBe(["failed", "failed", "delivered", "delivered"]);
        reports[3].GetProperty("errorCode").GetString().ShouldBe("MK:0002");
        reports[3].GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:34:00Z"));
        reports.ShouldAllBe(r => r.GetProperty("verification").GetString() == "passed" && r.GetProperty("parserVersion").GetString()!.Length > 0);

        reports.ShouldAllBe(r => r.GetProperty("source").GetString() == "push");
        var callbacks = events;
        callbacks[0].GetProperty("gapSeconds").ValueKind.ShouldBe(JsonValueKind.Null);
        callbacks.Skip(1).ShouldAllBe(c => c.GetProperty("gapSeconds").GetDouble() >= 0);

        // Each event names the request that carried it; the request is on record as received.
        var requestIds = events.Select(e => e.GetProperty("requestId").GetGuid()).Distinct().ToList();
        requestIds.Count.ShouldBe(4);
        var (found, request) = await fixture.Host.GetJsonAsync($"/requests/{requestIds[3]}", LedgerApi.AdminKey);
        found.ShouldBe(200);
        request.GetProperty("outcome").GetString().ShouldBe("accepted");
        var item = request.GetProperty("items").EnumerateArray().Single();
        item.GetProperty("messageKey").GetString().ShouldBe($"{biz}:{phone}");
        item.GetProperty("effect").GetString().ShouldBe("conflict");
        item.GetProperty("statusAfter").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task on_a_new_database_a_read_before_any_callback_finds_nothing_rather_than_failing()
    {
        // Marten creates a document's table on first use; the reads, which bypass Marten, do the same.
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "new" + Payloads.NewId()[..8], TestAccounts.Load());
        (await host.GetJsonAsync($"/messages/aliyun/{Payloads.NewId()}:1/history")).Status.ShouldBe(404);
        (await host.GetJsonAsync($"/messages/aliyun/{Payloads.NewId()}:1")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task an_unknown_message_has_no_history()
    {
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{Payloads.NewId()}:1/history")).Status.ShouldBe(404);
    }
}
