using Ledger.Events;
using Ledger.Ingest;
using Ledger.Replay;
using Ledger.Tests.Ingest;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Replay;

/// <summary>A gzip request's raw record holds the wire bytes; a replay decodes them and reads the same reports.</summary>
[Collection(ReplayCollection.Name)]
public sealed class when_replaying_a_compressed_request(ReplayFixture fixture)
{
    private async Task<int> PostGzipAsync(params string[] items)
    {
        var client = fixture.Host.Server.CreateClient();
        using var content = new ByteArrayContent(when_a_callback_body_is_compressed.Gzip(System.Text.Encoding.UTF8.GetBytes(Payloads.Array(items))));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
        using var response = await client.PostAsync($"/callbacks/{BuggyTestAdapter.ProviderName}", content);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task the_same_parser_reads_the_same_reports_and_a_fixed_one_corrects_them()
    {
        fixture.Adapter.Version = 1;
        var from = DateTimeOffset.UtcNow;
        var wrong = "gz-" + Payloads.NewId();
        var right = "gz-" + Payloads.NewId();
        (await PostGzipAsync(BuggyTestAdapter.Item(wrong, "FAIL"), BuggyTestAdapter.Item(right, "SUCCESS"))).ShouldBe(200);

        await using (var session = fixture.Store.QuerySession())
        {
            var request = (await session.Events.FetchStreamAsync(StreamKeys.Message(BuggyTestAdapter.ProviderName, wrong)))
                .Select(e => e.Data).OfType<ReportReceived>().Single().RequestId;
            var record = (await session.LoadAsync<RawRequestRecord>(request)).ShouldNotBeNull();
            record.Body[..2].ShouldBe(new byte[] { 0x1f, 0x8b }, "the stored body is the gzip that came on the wire");
            ContentEncodings.Of(record.Headers).ShouldBe("gzip");
        }

        // Today's parser is the one that read it: nothing differs, nothing is refused on re-reading.
        var same = await fixture.ReplayAsync(from, dryRun: true);
        same.State.ShouldBe(ReplayStates.Completed);
        same.Scanned.ShouldBe(1);
        same.Differences.ShouldBe(0);
        same.Corrected.ShouldBe(0);

        // A fixed parser reads the decoded items again: the wrong one is corrected, the right one is not.
        fixture.Adapter.Version = 2;
        var fixedRun = await fixture.ReplayAsync(from);
        fixedRun.Corrected.ShouldBe(1);
        (await fixture.EventsAsync(wrong)).OfType<InterpretationCorrected>().ShouldHaveSingleItem();
        (await fixture.EventsAsync(right)).OfType<InterpretationCorrected>().ShouldBeEmpty();
        fixture.Adapter.Version = 1;
    }
}
