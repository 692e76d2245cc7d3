using Ledger.Storage;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Providers;
using Ledger.Tests.Support;
using Ledger.Web.Rebuild;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Tests.ReadSide;

[Collection(LedgerCollection.Name)]
public sealed class when_rebuilding_projections(LedgerFixture fixture)
{
    private static readonly string[] Providers = ["aliyun", "tencent", "twilio", "huawei"];

    private static Report RandomReport(Random random, DateTimeOffset at)
    {
        var kind = random.Next(3);
        return new Report(
            kind switch { 0 => DeliveryStatus.Pending, 1 => DeliveryStatus.Delivered, _ => DeliveryStatus.Failed },
            kind != 0,
            kind switch { 0 => "ENROUTE", 1 => "DELIVRD", _ => "UNDELIV" },
            kind == 2 ? "E" + random.Next(5) : null,
            null,
            new ProviderTime($"{at:O}", at, "test"),
            "1380000" + random.Next(1000, 9999),
            "ref-" + random.Next(100),
            1 + random.Next(2),
            "test/1");
    }

    /// <summary>
    /// A few thousand messages through the ingest write path (CommitQueue, group commit), with re-pushes,
    /// late failures and out-of-order times, then every projection rebuilt from the events: the documents
    /// must come out exactly as the inline projections wrote them.
    /// </summary>
    [Fact]
    public async Task rebuilding_every_projection_gives_the_documents_the_inline_projections_wrote()
    {
        var random = new Random(20261125);
        var commits = fixture.Host.Services.GetRequiredService<CommitQueue>();
        var run = Payloads.NewId();
        var start = DateTimeOffset.Parse("2026-11-25T02:00:00Z");
        var writes = new List<Task>();
        for (var request = 0; request < 1500; request++)
        {
            var provider = Providers[request % Providers.Length];
            var items = Enumerable.Range(0, 1 + random.Next(3))
                .Select(_ => random.Next(3000))
                .Distinct()
                .Select(m => new CallbackItem($"rebuild-{run}-{m}", "{}", RandomReport(random, start.AddSeconds(random.Next(3600)))))
                .ToList();
            var raw = new RawCallback(Guid.CreateVersion7(), "POST", $"http://test/callbacks/{provider}", $"/callbacks/{provider}", "", [], "{}"u8.ToArray(), null, DateTimeOffset.UtcNow);
            writes.Add(commits.CommitAsync(IngestWrite.Accepted(RawRequestRecord.From(raw, provider, "default"), items)));
            // Re-pushes of earlier reports: duplicates the rebuild must count the same way.
            if (random.Next(5) == 0)
            {
                var again = raw with { RequestId = Guid.CreateVersion7() };
                writes.Add(commits.CommitAsync(IngestWrite.Accepted(RawRequestRecord.From(again, provider, "default"), items)));
            }

            // Finance registrations (before or after the reports) and refused requests share the commits.
            if (random.Next(4) == 0)
            {
                var key = $"rebuild-{run}-{random.Next(3000)}";
                var sent = raw with { RequestId = Guid.CreateVersion7() };
                var submitted = new MessageSubmitted(provider, "default", key, "13800001111", start.AddSeconds(-random.Next(600)), 1, null, sent.RequestId, DateTimeOffset.UtcNow);
                writes.Add(commits.CommitAsync(IngestWrite.SentRegistration(RawRequestRecord.From(sent, provider, "default"),
                    [new StreamAppend(StreamKeys.Message(provider, key), [submitted])])));
            }

            if (random.Next(10) == 0)
            {
                var refused = raw with { RequestId = Guid.CreateVersion7() };
                writes.Add(commits.CommitAsync(IngestWrite.Quarantined(RawRequestRecord.From(refused, provider, "default"), Rejection.Malformed("test"))));
            }
        }

        await Task.WhenAll(writes);

        var statusBefore = await SnapshotAsync<Message>(s => s.Id);
        var rejectedBefore = await SnapshotAsync<RejectedRequest>(r => r.Id);
        statusBefore.Keys.Count(k => k.Contains($"rebuild-{run}-")).ShouldBeGreaterThan(2000);
        rejectedBefore.Count.ShouldBeGreaterThan(50);
        await ShouldAgreeWithTheEventsAsync();

        // Wipe the documents first, so equality proves the rebuild derived them all from the events.
        await using (var wipe = fixture.Store.LightweightSession())
        {
            wipe.DeleteWhere<Message>(x => x.Id != "");
            wipe.DeleteWhere<RejectedRequest>(x => x.Id != "");
            await wipe.SaveChangesAsync();
        }

        await ProjectionRebuild.RunAsync(fixture.Store, NullLogger.Instance, CancellationToken.None);

        // Marten's rebuild (its daemon calling MessageProjection.Evolve) equals what the group commit's writer stored.
        var statusAfter = await SnapshotAsync<Message>(s => s.Id);
        ShouldMatch(statusBefore, statusAfter);
        var rejectedAfter = await SnapshotAsync<RejectedRequest>(r => r.Id);
        ShouldMatch(rejectedBefore, rejectedAfter);
    }

    /// <summary>
    /// The group commit writes Marten's tables itself (InlineAppender): every stream's version is its
    /// last event's, event versions run 1..n without gaps, and each document carries its stream's version.
    /// </summary>
    private async Task ShouldAgreeWithTheEventsAsync()
    {
        var schema = fixture.Store.Options.Events.DatabaseSchemaName;
        await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        async Task<long> CountAsync(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        (await CountAsync($"""
            select count(*) from {schema}.mt_streams s
            join (select stream_id, max(version) as last, count(*) as n from {schema}.mt_events group by stream_id) e on e.stream_id = s.id
            where s.version <> e.last or e.n <> e.last
            """)).ShouldBe(0);
        (await CountAsync($"select count(*) from {schema}.mt_doc_message d join {schema}.mt_streams s on s.id = d.id where d.mt_version <> s.version"))
            .ShouldBe(0);
    }

    private static void ShouldMatch(Dictionary<string, string> inline, Dictionary<string, string> rebuilt)
    {
        rebuilt.Count.ShouldBe(inline.Count);
        foreach (var (id, doc) in inline)
        {
            rebuilt.GetValueOrDefault(id).ShouldBe(doc, id);
        }
    }

    private async Task<Dictionary<string, string>> SnapshotAsync<T>(Func<T, string> id) where T : notnull
    {
        await using var session = fixture.Store.QuerySession();
        var docs = await session.Query<T>().ToListAsync();
        return docs.ToDictionary(id, d => JsonSerializer.Serialize(d));
    }
}
