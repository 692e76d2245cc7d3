using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Replay;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Replay;

[Collection(ReplayCollection.Name)]
public sealed class when_replaying_after_a_parser_fix(ReplayFixture fixture)
{
    private static string NewKey() => "m-" + Payloads.NewId();

    private async Task<DateTimeOffset> StartWithTheBuggyParser()
    {
        fixture.Adapter.Version = 1;
        var started = DateTimeOffset.UtcNow;
        await Task.Yield();
        return started;
    }

    private async Task<Message> StatusAsync(string key)
    {
        await using var session = fixture.Store.QuerySession();
        var status = await session.LoadAsync<Message>(StreamKeys.Message(BuggyTestAdapter.ProviderName, key));
        status.ShouldNotBeNull();
        return status;
    }

    [Fact]
    public async Task only_the_misread_messages_get_one_correction_each_and_as_of_shows_what_we_believed()
    {
        var from = await StartWithTheBuggyParser();
        var misread = Enumerable.Range(0, 3).Select(_ => NewKey()).ToList();
        var delivered = NewKey();
        var failed = NewKey();
        (await fixture.PostAsync([.. misread.Select(k => BuggyTestAdapter.Item(k, "FAIL"))])).Status.ShouldBe(200);
        (await fixture.PostAsync(BuggyTestAdapter.Item(delivered, "SUCCESS"), BuggyTestAdapter.Item(failed, "FAIL", "UNDELIV"))).Status.ShouldBe(200);
        (await StatusAsync(misread[0])).Status.ShouldBe(DeliveryStatus.Delivered); // the bug
        var beforeReplay = DateTimeOffset.UtcNow;

        fixture.Adapter.Version = 2;
        var job = await fixture.ReplayAsync(from);

        job.State.ShouldBe(ReplayStates.Completed);
        job.Scanned.ShouldBe(2);
        job.Corrected.ShouldBe(3);
        job.Sample.Count.ShouldBe(3);
        foreach (var key in misread)
        {
            var correction = (await fixture.EventsAsync(key)).OfType<InterpretationCorrected>().ShouldHaveSingleItem();
            correction.Previous.Status.ShouldBe(DeliveryStatus.Delivered);
            correction.Corrected.Status.ShouldBe(DeliveryStatus.Failed);
            correction.Corrected.ParserVersion.ShouldBe("buggytest/2");
            correction.ReplayId.ShouldBe(job.Id);

            var now = await StatusAsync(key);
            now.Status.ShouldBe(DeliveryStatus.Failed);
            now.Final.ShouldBeTrue();
            now.ParserVersion.ShouldBe("buggytest/2");
            now.CorrectedCount.ShouldBe(1);
            now.CallbackCount.ShouldBe(1);
            now.StreamVersion.ShouldBe(2);

            await using var session = fixture.Store.QuerySession();
            // Finance's row follows the correction and counts it (the daily `corrected` sums these).
            var row = await session.LoadAsync<Message>(StreamKeys.Message(BuggyTestAdapter.ProviderName, key));
            row.ShouldNotBeNull().Status.ShouldBe(DeliveryStatus.Failed);
            row.Final.ShouldBeTrue();
            row.CorrectedCount.ShouldBe(1);
            row.CallbackCount.ShouldBe(1);

            // Support sees the correction in the history, with what it changed.
            var history = await session.LoadAsync<Message>(StreamKeys.Message(BuggyTestAdapter.ProviderName, key));
            var entry = history.ShouldNotBeNull().Entries[^1];
            entry.Type.ShouldBe("interpretation_corrected");
            entry.PreviousStatus.ShouldBe(DeliveryStatus.Delivered);
            entry.Status.ShouldBe(DeliveryStatus.Failed);
            entry.StatusAfter.ShouldBe(DeliveryStatus.Failed);
            entry.ReplayId.ShouldBe(job.Id);

            var then = await session.Events.AggregateStreamAsync<Message>(StreamKeys.Message(BuggyTestAdapter.ProviderName, key), timestamp: beforeReplay);
            then.ShouldNotBeNull().Status.ShouldBe(DeliveryStatus.Delivered);
            then.ParserVersion.ShouldBe("buggytest/1");
        }

        (await fixture.EventsAsync(delivered)).OfType<InterpretationCorrected>().ShouldBeEmpty();
        (await fixture.EventsAsync(failed)).OfType<InterpretationCorrected>().ShouldBeEmpty();
        (await StatusAsync(delivered)).ParserVersion.ShouldBe("buggytest/1"); // the parser version alone is no difference

        var again = await fixture.ReplayAsync(from);
        again.State.ShouldBe(ReplayStates.Completed);
        again.Corrected.ShouldBe(0);
        foreach (var key in misread)
        {
            (await fixture.EventsAsync(key)).Count.ShouldBe(2); // the report and its correction
        }
    }

    [Fact]
    public async Task finance_totals_follow_the_correction_and_as_of_shows_the_figures_before_it()
    {
        var from = await StartWithTheBuggyParser();
        const string time = "2035-03-15 10:00:00";
        var misread = Enumerable.Range(0, 3).Select(_ => NewKey()).ToList();
        (await fixture.PostAsync([.. misread.Select(k => BuggyTestAdapter.Item(k, "FAIL", time: time))])).Status.ShouldBe(200);
        (await fixture.PostAsync(BuggyTestAdapter.Item(NewKey(), "SUCCESS", time: time), BuggyTestAdapter.Item(NewKey(), "FAIL", "UNDELIV", time))).Status.ShouldBe(200);
        const string url = "/reconciliation/daily?from=2035-03-15&to=2035-03-15&provider=buggytest";

        async Task<(long Delivered, long Failed, long Corrected)> TotalsAsync(string query = "")
        {
            var (status, json) = await fixture.Host.GetJsonAsync(url + query);
            status.ShouldBe(200);
            var row = json.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
            return (row.GetProperty("delivered").GetInt64(), row.GetProperty("failed").GetInt64(), row.GetProperty("corrected").GetInt64());
        }

        (await TotalsAsync()).ShouldBe((4, 1, 0)); // what finance saw with the bug
        var beforeReplay = DateTimeOffset.UtcNow;
        fixture.Adapter.Version = 2;
        (await fixture.ReplayAsync(from)).Corrected.ShouldBe(3);

        (await TotalsAsync()).ShouldBe((1, 4, 3));
        (await TotalsAsync($"&asOf={Uri.EscapeDataString(beforeReplay.ToString("O"))}")).ShouldBe((4, 1, 0));
    }

    [Fact]
    public async Task a_message_retention_archived_is_still_corrected_and_comes_back_live()
    {
        var from = await StartWithTheBuggyParser();
        var key = NewKey();
        (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL"))).Status.ShouldBe(200);
        var archiver = new Ledger.Web.Retention.StreamArchiver(fixture.Store, new Ledger.Web.Retention.RetentionOptions { ArchiveAfterDays = 1 },
            new ShiftedClock(TimeSpan.FromDays(2)), Microsoft.Extensions.Logging.Abstractions.NullLogger<Ledger.Web.Retention.StreamArchiver>.Instance);
        (await archiver.ArchiveOnceAsync()).ShouldBeGreaterThanOrEqualTo(1);
        (await fixture.EventsAsync(key)).ShouldBeEmpty(); // archived: out of the live event store

        fixture.Adapter.Version = 2;
        (await fixture.ReplayAsync(from)).Corrected.ShouldBe(1);

        (await fixture.EventsAsync(key)).OfType<InterpretationCorrected>().ShouldHaveSingleItem();
        (await StatusAsync(key)).Status.ShouldBe(DeliveryStatus.Failed);
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + shift;
    }

    [Fact]
    public async Task a_correction_goes_through_the_status_rules_like_any_report()
    {
        var from = await StartWithTheBuggyParser();
        var key = NewKey();
        // A misread "delivered" at 10:32, then a genuine failure at 10:40 recorded as a conflict.
        (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL", time: "2026-11-25 10:32:04"))).Status.ShouldBe(200);
        (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL", "UNDELIV", time: "2026-11-25 10:40:00"))).Status.ShouldBe(200);
        (await StatusAsync(key)).ConflictCount.ShouldBe(1);

        fixture.Adapter.Version = 2;
        (await fixture.ReplayAsync(from)).Corrected.ShouldBe(1);

        var now = await StatusAsync(key);
        now.Status.ShouldBe(DeliveryStatus.Failed);
        now.ErrorCode.ShouldBe("UNDELIV"); // the later failure now wins, as if the first had been read right
        now.ConflictCount.ShouldBe(0);
        now.ReportedAt.ShouldBe(DateTimeOffset.Parse("2026-11-25T02:40:00Z"));
        now.CorrectedCount.ShouldBe(1);
    }

    [Fact]
    public async Task an_interrupted_replay_resumes_from_its_cursor_and_ends_as_an_uninterrupted_one()
    {
        var from = await StartWithTheBuggyParser();
        var keys = Enumerable.Range(0, 10).Select(_ => NewKey()).ToList();
        foreach (var key in keys)
        {
            (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL"))).Status.ShouldBe(200);
        }

        fixture.Adapter.Version = 2;
        var job = await fixture.Runner.QueueAsync(new ReplayOptions { Provider = BuggyTestAdapter.ProviderName, From = from }, "tests", chunkSize: 3);
        var halfway = await fixture.Runner.RunAsync(job.Id, maxChunks: 2);
        halfway.State.ShouldBe(ReplayStates.Running);
        halfway.Scanned.ShouldBe(6);
        halfway.Cursor.ShouldNotBeNull();

        // A crash after a chunk committed but before the message was acknowledged runs that chunk again:
        // rewinding the cursor by a chunk shows nothing is applied twice.
        await using (var session = fixture.Store.LightweightSession())
        {
            var records = await session.Query<RawRequestRecord>().Where(r => r.Provider == BuggyTestAdapter.ProviderName).ToListAsync();
            var rewound = records.Where(r => r.ReceivedAt >= from).OrderBy(r => r.Id).ElementAt(2).Id;
            session.Store(halfway with { Cursor = rewound });
            await session.SaveChangesAsync();
        }

        var finished = await fixture.Runner.RunAsync(job.Id);
        finished.State.ShouldBe(ReplayStates.Completed);
        finished.Corrected.ShouldBe(10);
        foreach (var key in keys)
        {
            (await fixture.EventsAsync(key)).OfType<InterpretationCorrected>().ShouldHaveSingleItem();
            (await StatusAsync(key)).Status.ShouldBe(DeliveryStatus.Failed);
        }

        (await fixture.ReplayAsync(from)).Corrected.ShouldBe(0);
    }

    [Fact]
    public async Task a_quarantined_request_that_now_parses_is_rescued_once()
    {
        var from = await StartWithTheBuggyParser();
        var key = NewKey();
        var (status, body, _) = await fixture.PostAsync(BuggyTestAdapter.Item(key, "EXPIRED", "EXPIRED"));
        status.ShouldBe(400);
        var requestId = JsonDocument.Parse(body).RootElement.GetProperty("requestId").GetGuid();
        (await fixture.EventsAsync(key)).ShouldBeEmpty();

        fixture.Adapter.Version = 2;
        (await fixture.ReplayAsync(from)).Rescued.ShouldBe(0); // quarantine is only looked at when asked
        var job = await fixture.ReplayAsync(from, includeQuarantine: true);

        job.Rescued.ShouldBe(1);
        var events = await fixture.EventsAsync(key);
        events.Select(e => e.GetType()).ShouldBe([typeof(CallbackRescued), typeof(ReportReceived)]);
        events.OfType<CallbackRescued>().Single().OriginalRequestId.ShouldBe(requestId);
        events.OfType<ReportReceived>().Single().RequestId.ShouldBe(requestId);
        var now = await StatusAsync(key);
        now.Status.ShouldBe(DeliveryStatus.Failed);
        now.CallbackCount.ShouldBe(1);
        now.ProviderStatus.ShouldBe("EXPIRED");

        await using (var session = fixture.Store.QuerySession())
        {
            var quarantine = await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId));
            quarantine.Select(e => e.Data.GetType()).ShouldBe([typeof(RequestQuarantined), typeof(RequestRescued)]);
        }

        (await fixture.ReplayAsync(from, includeQuarantine: true)).Rescued.ShouldBe(0);
        (await fixture.EventsAsync(key)).Count.ShouldBe(2); // the rescue marker and the report
    }

    [Fact]
    public async Task ingest_during_a_replay_loses_nothing()
    {
        var from = await StartWithTheBuggyParser();
        var keys = Enumerable.Range(0, 30).Select(_ => NewKey()).ToList();
        foreach (var key in keys)
        {
            (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL"))).Status.ShouldBe(200);
        }

        fixture.Adapter.Version = 2;
        var job = await fixture.Runner.QueueAsync(new ReplayOptions { Provider = BuggyTestAdapter.ProviderName, From = from }, "tests", chunkSize: 2);
        var replay = Task.Run(() => fixture.Runner.RunAsync(job.Id));

        // Meanwhile: a second report for every message being corrected, and new messages.
        var fresh = Enumerable.Range(0, 30).Select(_ => NewKey()).ToList();
        var posts = keys.Select(k => fixture.PostAsync(BuggyTestAdapter.Item(k, "SUCCESS", "DELIVRD", time: "2026-11-25 10:50:00")))
            .Concat(fresh.Select(k => fixture.PostAsync(BuggyTestAdapter.Item(k, "SUCCESS"))))
            .ToList();
        var answers = await Task.WhenAll(posts);
        var finished = await replay;

        answers.ShouldAllBe(a => a.Status == 200);
        finished.State.ShouldBe(ReplayStates.Completed);
        foreach (var key in keys)
        {
            var events = await fixture.EventsAsync(key);
            events.OfType<ReportReceived>().Count().ShouldBe(2);
            events.OfType<InterpretationCorrected>().ShouldHaveSingleItem();
            var now = await StatusAsync(key);
            now.CallbackCount.ShouldBe(2);
            now.StreamVersion.ShouldBe(events.Count);
            now.Status.ShouldBe(DeliveryStatus.Delivered); // the later delivered report stands
        }

        foreach (var key in fresh)
        {
            (await fixture.EventsAsync(key)).OfType<ReportReceived>().ShouldHaveSingleItem();
        }
    }
}
