using System.Text.Json;
using Ledger.Events;
using Ledger.Replay;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Replay;

/// <summary>
/// Replays read stored replies again like reports (issue 19): a reply read wrong is corrected in its own
/// stream and its document, a quarantined push of replies that today's reader reads is rescued, and a second
/// replay changes nothing.
/// </summary>
[Collection(ReplayCollection.Name)]
public sealed class when_replaying_replies(ReplayFixture fixture)
{
    private const string Route = "/callbacks/buggytest/replies";

    private static string NewReplyId() => "r-" + Payloads.NewId();

    private static string Stream(string replyId) => StreamKeys.Reply(BuggyTestAdapter.ProviderName, replyId);

    private async Task<DateTimeOffset> StartWithTheBuggyReader()
    {
        fixture.Adapter.Version = 1;
        var started = DateTimeOffset.UtcNow;
        await Task.Yield();
        return started;
    }

    private async Task<IReadOnlyList<object>> ReplyEventsAsync(string replyId)
    {
        await using var session = fixture.Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(Stream(replyId))).Select(e => e.Data)];
    }

    private async Task<JsonElement> ReplyAsync(string replyId)
    {
        var (status, reply) = await fixture.Host.GetJsonAsync($"/replies/{BuggyTestAdapter.ProviderName}/{replyId}");
        status.ShouldBe(200);
        return reply;
    }

    [Fact]
    public async Task a_reply_read_wrong_gets_one_correction_per_push_and_its_document_shows_the_corrected_reading()
    {
        var from = await StartWithTheBuggyReader();
        var id = NewReplyId();
        var other = NewReplyId();
        (await fixture.Host.PostAsync(Route, Payloads.Array(BuggyTestAdapter.Reply(id, "TD"), BuggyTestAdapter.Reply(other, "hello", time: "")))).Status.ShouldBe(200);
        (await fixture.Host.PostAsync(Route, Payloads.Array(BuggyTestAdapter.Reply(id, "TD")))).Status.ShouldBe(200); // the provider pushed it again
        var before = await ReplyAsync(id);
        before.GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T10:40:00Z")); // the bug
        before.GetProperty("duplicateCount").GetInt32().ShouldBe(1);

        fixture.Adapter.Version = 2;
        var job = await fixture.ReplayAsync(from);

        job.State.ShouldBe(ReplayStates.Completed);
        job.Scanned.ShouldBe(2);
        job.Corrected.ShouldBe(2); // both pushes of the reply; the reply without a time reads the same
        var corrections = (await ReplyEventsAsync(id)).OfType<ReplyCorrected>().ToList();
        corrections.Count.ShouldBe(2);
        corrections.ShouldAllBe(c => c.ReplayId == job.Id && c.StartedBy == "tests");
        corrections.ShouldAllBe(c => c.Previous.ProviderTime!.Utc == DateTimeOffset.Parse("2026-11-25T10:40:00Z"));
        corrections.ShouldAllBe(c => c.Corrected.ProviderTime!.Utc == DateTimeOffset.Parse("2026-11-25T02:40:00Z"));
        corrections.ShouldAllBe(c => c.Corrected.ParserVersion == "buggytest/2" && c.Corrected.Content == "TD" && c.Corrected.Unsubscribe);
        (await ReplyEventsAsync(other)).OfType<ReplyCorrected>().ShouldBeEmpty();

        var after = await ReplyAsync(id);
        after.GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:40:00Z"));
        after.GetProperty("parserVersion").GetString().ShouldBe("buggytest/2");
        after.GetProperty("content").GetString().ShouldBe("TD");
        after.GetProperty("unsubscribe").GetBoolean().ShouldBeTrue();
        after.GetProperty("correctedCount").GetInt32().ShouldBe(2);
        after.GetProperty("duplicateCount").GetInt32().ShouldBe(1); // a correction is no push
        (await ReplyAsync(other)).GetProperty("correctedCount").GetInt32().ShouldBe(0);

        await using (var session = fixture.Store.QuerySession())
        {
            var rows = await session.Query<ReplayDifference>().Where(d => d.ReplayId == job.Id).ToListAsync();
            rows.Count.ShouldBe(2);
            rows.ShouldAllBe(d => d.ReplyId == id && d.MessageKey == null && d.Kind == DifferenceKinds.Corrected && d.Applied);
            rows.ShouldAllBe(d => d.CorrectedReportedAt == DateTimeOffset.Parse("2026-11-25T02:40:00Z") && d.CorrectedParserVersion == "buggytest/2");
        }

        var again = await fixture.ReplayAsync(from);
        again.State.ShouldBe(ReplayStates.Completed);
        again.Corrected.ShouldBe(0);
        again.Differences.ShouldBe(0);
        (await ReplyEventsAsync(id)).Count.ShouldBe(4); // two pushes and their corrections, nothing more
        (await ReplyAsync(id)).GetProperty("correctedCount").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_dry_run_lists_the_reply_corrections_and_appends_nothing()
    {
        var from = await StartWithTheBuggyReader();
        var id = NewReplyId();
        (await fixture.Host.PostAsync(Route, Payloads.Array(BuggyTestAdapter.Reply(id, "hello")))).Status.ShouldBe(200);

        fixture.Adapter.Version = 2;
        var job = await fixture.ReplayAsync(from, dryRun: true);

        job.Corrected.ShouldBe(1);
        job.Sample.ShouldHaveSingleItem().ReplyId.ShouldBe(id);
        job.Sample[0].Applied.ShouldBeFalse();
        (await ReplyEventsAsync(id)).ShouldHaveSingleItem().ShouldBeOfType<ReplyReceived>();
        (await ReplyAsync(id)).GetProperty("parserVersion").GetString().ShouldBe("buggytest/1");
    }

    [Fact]
    public async Task a_quarantined_push_of_replies_that_now_reads_is_rescued_into_its_reply_stream_once()
    {
        var from = await StartWithTheBuggyReader();
        var id = NewReplyId();
        var (status, body, _) = await fixture.Host.PostAsync(Route, Payloads.Array(BuggyTestAdapter.Reply(id, "退订", textField: "msg")));
        status.ShouldBe(400, body);
        var requestId = JsonDocument.Parse(body).RootElement.GetProperty("requestId").GetGuid();
        (await fixture.Host.GetJsonAsync($"/replies/{BuggyTestAdapter.ProviderName}/{id}")).Status.ShouldBe(404);

        fixture.Adapter.Version = 2;
        (await fixture.ReplayAsync(from)).Rescued.ShouldBe(0); // quarantine is only looked at when asked
        var job = await fixture.ReplayAsync(from, includeQuarantine: true);

        job.Rescued.ShouldBe(1);
        var events = await ReplyEventsAsync(id);
        events.Select(e => e.GetType()).ShouldBe([typeof(ReplyRescued), typeof(ReplyReceived)]);
        var rescued = events.OfType<ReplyRescued>().Single();
        rescued.OriginalRequestId.ShouldBe(requestId);
        rescued.OriginalReason.ShouldBe("unknown_reply_shape");
        rescued.ReplayId.ShouldBe(job.Id);
        var received = events.OfType<ReplyReceived>().Single();
        received.RequestId.ShouldBe(requestId); // the evidence is the request as it was received
        received.Unsubscribe.ShouldBeTrue();

        var reply = await ReplyAsync(id);
        reply.GetProperty("content").GetString().ShouldBe("退订");
        reply.GetProperty("unsubscribe").GetBoolean().ShouldBeTrue();
        reply.GetProperty("rescued").GetBoolean().ShouldBeTrue();
        reply.GetProperty("duplicateCount").GetInt32().ShouldBe(0);
        reply.GetProperty("requestId").GetGuid().ShouldBe(requestId);
        reply.GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:40:00Z"));

        await using (var session = fixture.Store.QuerySession())
        {
            var quarantine = await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId));
            quarantine.Select(e => e.Data.GetType()).ShouldBe([typeof(RequestQuarantined), typeof(RequestRescued)]);
            var marker = (RequestRescued)quarantine[1].Data;
            marker.MessageKeys.ShouldBeEmpty();
            marker.ReplyIds.ShouldBe([id]);
            var row = (await session.Query<ReplayDifference>().Where(d => d.ReplayId == job.Id).ToListAsync()).ShouldHaveSingleItem();
            row.Kind.ShouldBe(DifferenceKinds.Rescued);
            row.ReplyId.ShouldBe(id);
        }

        (await fixture.ReplayAsync(from, includeQuarantine: true)).Rescued.ShouldBe(0);
        (await ReplyEventsAsync(id)).Count.ShouldBe(2); // the rescue marker and the reply
    }
}
