using Ledger.Events;
using Ledger.Projections;
using Ledger.Tests.Support;
using Ledger.Web.Rebuild;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// A store written by the build before one event per report: each report is a CallbackReceived followed by
/// its ReportInterpreted, and none of its streams has a `message` document yet. After the upgrade the
/// status, history and daily totals read right, a new report continues the stream's real state, and
/// `rebuild` writes every document in the new shape.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_upgrading_a_store_of_an_earlier_build(LedgerFixture fixture)
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-20T02:00:00Z");

    private static Report Aliyun(bool delivered, string time) => new(
        delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed, true, delivered ? "DELIVERED" : "UNDELIV", delivered ? null : "MK:0001",
        delivered ? "用户接收成功" : "用户接收失败",
        new ProviderTime(time, DateTimeOffset.Parse(time + "+08:00"), "Asia/Shanghai (UTC+8, no zone in the value)"),
        "13812345678", "order-1", 1, "aliyun/1");

    /// <summary>Exactly the events the earlier build appended for one report, then no document (as that build had none of this shape).</summary>
    private static async Task WriteEarlierStreamAsync(IDocumentStore store, string key, params (Report Report, DateTimeOffset At)[] reports)
    {
        await using (var session = store.LightweightSession())
        {
            var events = new List<object>();
            foreach (var (report, at) in reports)
            {
                var request = Guid.CreateVersion7(at);
                events.Add(new CallbackReceived("aliyun", "default", key, request, 0, "{\"biz_id\":\"…\"}", at));
                events.Add(new ReportInterpreted(request, at, report));
            }

            session.Events.Append(StreamKeys.Message("aliyun", key), [.. events]);
            await session.SaveChangesAsync();
        }

        await using (var wipe = store.LightweightSession())
        {
            wipe.Delete<Message>(StreamKeys.Message("aliyun", key));
            await wipe.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task status_history_and_daily_totals_read_right_and_a_rebuild_writes_the_new_documents()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "up" + Payloads.NewId()[..10], TestAccounts.Load());
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var continued = $"900{Payloads.NewId()[..6]}:13812345678";
        var untouched = $"901{Payloads.NewId()[..6]}:13812345678";
        await WriteEarlierStreamAsync(store, continued, (Aliyun(false, "2026-11-20 10:00:00"), At));
        await WriteEarlierStreamAsync(store, untouched, (Aliyun(false, "2026-11-20 10:00:00"), At), (Aliyun(true, "2026-11-20 10:01:00"), At.AddMinutes(1)));

        // Before any rebuild: the reads fold the old events with the same projection.
        var (status, view) = await host.GetJsonAsync($"/messages/aliyun/{untouched}");
        status.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("version").GetInt64().ShouldBe(4);
        view.GetProperty("category").GetString().ShouldBe("delivered"); // reports stored before categories are classified on reading
        var (_, history) = await host.GetJsonAsync($"/messages/aliyun/{untouched}/history");
        history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString())
            .ShouldBe(["callback_received", "report_interpreted", "callback_received", "report_interpreted"]);

        // A new report for an old stream continues from its real state: the writer folds the stored events first.
        var late = Payloads.AliyunItem(continued.Split(':')[0], "13812345678", success: true, reportTime: "2026-11-20 10:05:00");
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(late))).Status.ShouldBe(200);
        (status, view) = await host.GetJsonAsync($"/messages/aliyun/{continued}");
        status.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("version").GetInt64().ShouldBe(3);
        (_, history) = await host.GetJsonAsync($"/messages/aliyun/{continued}/history");
        history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString())
            .ShouldBe(["callback_received", "report_interpreted", "report_received"]);
        history.GetProperty("events")[2].GetProperty("statusAfter").GetString().ShouldBe("delivered");

        // The documented upgrade step: every document rebuilt in the new shape from the events.
        await ProjectionRebuild.RunAsync(store, NullLogger.Instance, CancellationToken.None);
        await using (var session = store.QuerySession())
        {
            var rebuilt = await session.LoadAsync<Message>(StreamKeys.Message("aliyun", untouched));
            rebuilt.ShouldNotBeNull().Status.ShouldBe(DeliveryStatus.Delivered);
            rebuilt.Day.ShouldBe("2026-11-20");
            rebuilt.Entries.Count.ShouldBe(4);
            (await session.LoadAsync<Message>(StreamKeys.Message("aliyun", continued))).ShouldNotBeNull().StreamVersion.ShouldBe(3);
        }

        var (daily, totals) = await host.GetJsonAsync("/reconciliation/daily?from=2026-11-20&to=2026-11-20&provider=aliyun", LedgerApi.FinanceKey);
        daily.ShouldBe(200);
        var row = totals.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("account").GetString() == "default");
        row.GetProperty("delivered").GetInt32().ShouldBe(2);
        row.GetProperty("failed").GetInt32().ShouldBe(0);
        row.GetProperty("callbacks").GetInt32().ShouldBe(4);
    }
}
