using Ledger.Storage;
using System.Text.Json;
using Ledger.Projections;
using Ledger.Replay;
using Ledger.Tests.Support;
using Ledger.Web.Rebuild;
using Ledger.Web.Retention;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Tests.Retention;

[Collection(LedgerCollection.Name)]
public sealed class when_old_final_messages_are_archived(LedgerFixture fixture)
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static async Task<bool> IsArchivedAsync(IDocumentStore store, string key)
    {
        await using var session = store.QuerySession();
        await using var command = new NpgsqlCommand($"select is_archived from {store.Options.Events.DatabaseSchemaName}.mt_streams where id = @id",
            (NpgsqlConnection)session.Connection!);
        if (command.Connection!.State != System.Data.ConnectionState.Open)
        {
            await command.Connection.OpenAsync();
        }

        command.Parameters.AddWithValue("id", key);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task they_stay_readable_a_late_report_is_still_recorded_and_rebuild_keeps_them()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "ret" + Payloads.NewId()[..8]);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var biz = Payloads.NewId();
        var final = $"aliyun:{biz}:13800000501";
        var open = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000501", true)))).Status.ShouldBe(200);
        (await host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(open, "SENDING", errmsg: "")))).Status.ShouldBe(200);
        var archiver = new StreamArchiver(store, new RetentionOptions { ArchiveAfterDays = 1 }, new FixedClock(DateTimeOffset.UtcNow.AddDays(2)), NullLogger<StreamArchiver>.Instance);

        (await archiver.ArchiveOnceAsync()).ShouldBe(1); // only the final one
        (await IsArchivedAsync(store, final)).ShouldBeTrue();
        (await IsArchivedAsync(store, $"tencent:{open}")).ShouldBeFalse();

        // Still readable: status, history, finance row.
        (await host.GetJsonAsync($"/messages/aliyun/{biz}:13800000501")).Json.GetProperty("status").GetString().ShouldBe("delivered");
        (await host.GetJsonAsync($"/messages/aliyun/{biz}:13800000501/history")).Json.GetProperty("events").GetArrayLength().ShouldBe(1);
        await using (var session = store.QuerySession())
        {
            (await session.LoadAsync<Message>(final)).ShouldNotBeNull();
        }

        // A late re-push of the report is recorded, not refused: the stream comes back.
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000501", true)))).Status.ShouldBe(200);
        (await IsArchivedAsync(store, final)).ShouldBeFalse();
        var (_, view) = await host.GetJsonAsync($"/messages/aliyun/{biz}:13800000501");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("duplicateCount").GetInt32().ShouldBe(1);

        // Archived again, then a rebuild: the documents come back the same, the stream stays archived.
        (await archiver.ArchiveOnceAsync()).ShouldBe(1);
        string before;
        await using (var session = store.QuerySession())
        {
            before = JsonSerializer.Serialize(await session.LoadAsync<Message>(final));
        }

        await ProjectionRebuild.RunAsync(store, NullLogger.Instance, CancellationToken.None);
        await using (var session = store.QuerySession())
        {
            JsonSerializer.Serialize(await session.LoadAsync<Message>(final)).ShouldBe(before);
            (await session.LoadAsync<Message>(final)).ShouldNotBeNull().CallbackCount.ShouldBe(2);
        }

        (await IsArchivedAsync(store, final)).ShouldBeTrue();
    }

    [Fact]
    public async Task its_point_in_time_views_and_a_replay_by_message_key_still_see_its_events()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "reta" + Payloads.NewId()[..8]);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var biz = Payloads.NewId();
        var messageKey = $"{biz}:13800000521";
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000521", true)))).Status.ShouldBe(200);
        var afterReport = DateTimeOffset.UtcNow;
        var archiver = new StreamArchiver(store, new RetentionOptions { ArchiveAfterDays = 1 }, new FixedClock(DateTimeOffset.UtcNow.AddDays(2)), NullLogger<StreamArchiver>.Instance);
        (await archiver.ArchiveOnceAsync()).ShouldBe(1);
        (await IsArchivedAsync(store, $"aliyun:{messageKey}")).ShouldBeTrue();

        // Support: the status at each version and at an instant, as before archiving.
        var (status, first) = await host.GetJsonAsync($"/messages/aliyun/{messageKey}?version=1");
        status.ShouldBe(200);
        first.GetProperty("status").GetString().ShouldBe("delivered"); // one event per report
        first.GetProperty("version").GetInt64().ShouldBe(1);
        var (_, then) = await host.GetJsonAsync($"/messages/aliyun/{messageKey}?asOf={Uri.EscapeDataString(afterReport.ToString("O"))}");
        then.GetProperty("status").GetString().ShouldBe("delivered");
        (await host.GetJsonAsync($"/messages/aliyun/{messageKey}?version=2")).Status.ShouldBe(404); // no second event, archived or not

        // Finance: the day's totals as of an instant count the archived message like the live totals do.
        var daily = "/reconciliation/daily?from=2026-11-25&to=2026-11-25&provider=aliyun";
        var (_, live) = await host.GetJsonAsync(daily, LedgerApi.FinanceKey);
        var (_, asOf) = await host.GetJsonAsync($"{daily}&asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}", LedgerApi.FinanceKey);
        Delivered(live).ShouldBe(1);
        Delivered(asOf).ShouldBe(1);

        // Engineers: a replay restricted to the message finds the request that carried it.
        var runner = host.Services.GetRequiredService<ReplayRunner>();
        var job = await runner.QueueAsync(new ReplayOptions { Provider = "aliyun", MessageKeys = [messageKey], DryRun = true }, "tests");
        var done = await runner.RunAsync(job.Id);
        done.State.ShouldBe(ReplayStates.Completed);
        done.Scanned.ShouldBe(1);
    }

    private static int Delivered(JsonElement daily) =>
        daily.GetProperty("rows").EnumerateArray().Sum(d => d.GetProperty("delivered").GetInt32());

    [Fact]
    public async Task nothing_is_archived_while_a_replay_is_queued_or_running()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "retr" + Payloads.NewId()[..8]);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var biz = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000511", true)))).Status.ShouldBe(200);
        await using (var session = store.LightweightSession())
        {
            session.Store(ReplayJob.Queue(new ReplayOptions { DryRun = true }, "test", DateTimeOffset.UtcNow) with { State = ReplayStates.Running });
            await session.SaveChangesAsync();
        }

        var archiver = new StreamArchiver(store, new RetentionOptions { ArchiveAfterDays = 1 }, new FixedClock(DateTimeOffset.UtcNow.AddDays(2)), NullLogger<StreamArchiver>.Instance);

        (await archiver.ArchiveOnceAsync()).ShouldBe(-1);
        (await IsArchivedAsync(store, $"aliyun:{biz}:13800000511")).ShouldBeFalse();
    }
}
