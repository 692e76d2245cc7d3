using System.Text.Json;
using JasperFx.Events;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Tests.Support;
using Marten;
using Marten.Events.Archiving;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Storage;

/// <summary>
/// The group commit writes Marten's tables itself (InlineAppender), set-based, for speed. This suite proves
/// that Marten reads back exactly what it wrote, and holds the writer to Marten's own table definitions, so
/// a Marten upgrade that changes a table or column fails here instead of corrupting a stream.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class marten_reads_what_the_writer_wrote(LedgerFixture fixture)
{
    private IDocumentStore Store => fixture.Store;

    /// <summary>A batch with a duplicate and a later delivery, a Tencent report, and a registration.</summary>
    private async Task<(string Aliyun, string Tencent)> WriteThroughTheLedgerAsync()
    {
        var biz = Payloads.NewId();
        var phone = "13900000" + Random.Shared.Next(100, 999);
        var aliyun = $"{biz}:{phone}";
        var failure = Payloads.AliyunItem(biz, phone, success: false, reportTime: "2026-11-25 10:30:00", errCode: "MK:0005");
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(failure, failure))).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phone, success: true, reportTime: "2026-11-25 10:31:00"))))
            .Status.ShouldBe(200);
        var sid = "2019:" + Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "SUCCESS")))).Status.ShouldBe(200);
        return (aliyun, sid);
    }

    [Fact]
    public async Task fetch_stream_returns_every_event_in_order_with_its_metadata()
    {
        var (aliyun, _) = await WriteThroughTheLedgerAsync();
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKeys.Message("aliyun", aliyun));

        events.Select(e => e.Version).ShouldBe([1L, 2, 3]);
        events.ShouldAllBe(e => e.Data is ReportReceived && e.EventTypeName == "report_received" && e.StreamKey == StreamKeys.Message("aliyun", aliyun));
        events.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        events.ShouldAllBe(e => e.Sequence > 0 && e.Timestamp > DateTimeOffset.UtcNow.AddMinutes(-5) && e.Id != Guid.Empty);
        var reports = events.Select(e => (ReportReceived)e.Data).ToList();
        reports.Select(r => r.Report.Status).ShouldBe([DeliveryStatus.Failed, DeliveryStatus.Failed, DeliveryStatus.Delivered]);
        reports.Select(r => r.ItemIndex).ShouldBe([0, 1, 0]);
        reports[0].RequestId.ShouldBe(reports[1].RequestId);
        reports[0].Report.Category.ShouldBe(FailureCategory.InvalidNumber);
        JsonDocument.Parse(reports[2].RawItem).RootElement.GetProperty("success").GetBoolean().ShouldBeTrue();

        var state = await session.Events.FetchStreamStateAsync(StreamKeys.Message("aliyun", aliyun));
        state.ShouldNotBeNull().Version.ShouldBe(3);
    }

    [Fact]
    public async Task marten_aggregating_the_stream_gives_the_document_the_writer_stored()
    {
        var (aliyun, tencent) = await WriteThroughTheLedgerAsync();
        await using var session = Store.QuerySession();
        foreach (var key in new[] { StreamKeys.Message("aliyun", aliyun), StreamKeys.Message("tencent", tencent) })
        {
            var stored = await session.LoadAsync<Message>(key);
            var aggregated = await session.Events.AggregateStreamAsync<Message>(key);
            JsonSerializer.Serialize(aggregated).ShouldBe(JsonSerializer.Serialize(stored), key);
        }
    }

    [Fact]
    public async Task marten_and_the_writer_append_to_the_same_stream_without_a_gap()
    {
        var (aliyun, _) = await WriteThroughTheLedgerAsync();
        var key = StreamKeys.Message("aliyun", aliyun);
        await using (var session = Store.LightweightSession())
        {
            // Marten's own recommended write path, on a stream the writer created.
            var stream = await session.Events.FetchForWriting<Message>(key);
            stream.Aggregate.ShouldNotBeNull().StreamVersion.ShouldBe(3);
            stream.AppendOne(new MessageSubmitted("aliyun", "default", aliyun, null, DateTimeOffset.Parse("2026-11-25T02:29:00Z"), 1, null, Guid.NewGuid(),
                DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        // And the writer again after Marten: versions continue, the document follows both.
        var phone = aliyun.Split(':')[1];
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(aliyun.Split(':')[0], phone, success: true,
            reportTime: "2026-11-25 10:31:00")))).Status.ShouldBe(200);
        await using var query = Store.QuerySession();
        (await query.Events.FetchStreamAsync(key)).Select(e => e.Version).ShouldBe([1L, 2, 3, 4, 5]);
        var document = await query.LoadAsync<Message>(key);
        document.ShouldNotBeNull().StreamVersion.ShouldBe(5);
        document.SentAt.ShouldBe(DateTimeOffset.Parse("2026-11-25T02:29:00Z"));
        document.DuplicateCount.ShouldBe(2);
        JsonSerializer.Serialize(await query.Events.AggregateStreamAsync<Message>(key)).ShouldBe(JsonSerializer.Serialize(document));
    }

    [Fact]
    public async Task a_stream_marten_archived_is_hidden_from_its_reads_and_the_writer_brings_it_back()
    {
        var (aliyun, _) = await WriteThroughTheLedgerAsync();
        var key = StreamKeys.Message("aliyun", aliyun);
        await using (var session = Store.LightweightSession())
        {
            session.Events.ArchiveStream(key);
            await session.SaveChangesAsync();
        }

        await using (var query = Store.QuerySession())
        {
            (await query.Events.FetchStreamAsync(key)).ShouldBeEmpty();
        }

        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(aliyun.Split(':')[0], aliyun.Split(':')[1], success: true,
            reportTime: "2026-11-25 10:31:00")))).Status.ShouldBe(200);
        await using var after = Store.QuerySession();
        (await after.Events.FetchStreamAsync(key)).Select(e => e.Version).ShouldBe([1L, 2, 3, 4]);
    }

    [Fact]
    public async Task the_writers_archive_and_restore_are_martens_archiving()
    {
        var (byMarten, _) = await WriteThroughTheLedgerAsync();
        var (byWriter, _) = await WriteThroughTheLedgerAsync();
        var martens = StreamKeys.Message("aliyun", byMarten);
        var writers = StreamKeys.Message("aliyun", byWriter);
        var martenBefore = await RowsAsync(martens);
        var writerBefore = await RowsAsync(writers);

        await using (var session = Store.LightweightSession())
        {
            session.Events.ArchiveStream(martens);
            await session.SaveChangesAsync();
        }

        var archive = new ArchiveWriter(Store);
        await using (var connection = Store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            (await archive.ArchiveAsync(connection, [writers, "never-written-" + Payloads.NewId()])).ShouldBe(1);
            (await archive.ArchiveAsync(connection, [writers])).ShouldBe(0); // already archived: nothing written
            await transaction.CommitAsync();
        }

        // Row for row, the writer changed exactly what Marten's archiving changed (the flags, nothing else).
        var martenChanges = Changes(martenBefore, await RowsAsync(martens));
        martenChanges.ShouldNotBeEmpty();
        Changes(writerBefore, await RowsAsync(writers)).ShouldBe(martenChanges);
        await using (var query = Store.QuerySession())
        {
            foreach (var key in new[] { martens, writers })
            {
                (await query.Events.FetchStreamAsync(key)).ShouldBeEmpty(key);
                (await query.Events.QueryAllRawEvents().Where(e => e.StreamKey == key).CountAsync()).ShouldBe(0, key);
                (await query.Events.QueryAllRawEvents().Where(e => e.StreamKey == key && e.MaybeArchived()).CountAsync()).ShouldBe(3, key);
                var state = await query.Events.FetchStreamStateAsync(key);
                state.ShouldNotBeNull().IsArchived.ShouldBeTrue(key);
                state.Version.ShouldBe(3, key);
            }
        }

        // Restored (as before a rebuild): the rows are as they were before archiving, and Marten reads them live.
        var restored = await archive.RestoreAllAsync();
        restored.ShouldContain(martens);
        restored.ShouldContain(writers);
        (await RowsAsync(martens)).ShouldBe(martenBefore);
        (await RowsAsync(writers)).ShouldBe(writerBefore);
        await using (var query = Store.QuerySession())
        {
            foreach (var key in new[] { martens, writers })
            {
                (await query.Events.FetchStreamAsync(key)).Select(e => e.Version).ShouldBe([1L, 2, 3], key);
                (await query.Events.FetchStreamStateAsync(key)).ShouldNotBeNull().IsArchived.ShouldBeFalse(key);
            }
        }

        // Archived again (after a rebuild): Marten's reads leave them out again.
        await archive.ArchiveAgainAsync(restored);
        Changes(martenBefore, await RowsAsync(martens)).ShouldBe(martenChanges);
        Changes(writerBefore, await RowsAsync(writers)).ShouldBe(martenChanges);
    }

    /// <summary>The stream's row and its events' rows, every column, as JSON (jsonb: keys in one order).</summary>
    private async Task<List<string>> RowsAsync(string key)
    {
        var tables = Ledger.Projections.InlineAppender.EventTables(Store);
        var streams = tables.Single(t => t.Identifier.Name == "mt_streams").Identifier.QualifiedName;
        var events = tables.Single(t => t.Identifier.Name == "mt_events").Identifier.QualifiedName;
        await using var connection = Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"select to_jsonb(s)::text from {streams} s where s.id = $1 " +
            $"union all (select to_jsonb(e)::text from {events} e where e.stream_id = $1 order by e.version)", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = key });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Per row, the columns whose value changed, with their new value.</summary>
    private static List<string> Changes(List<string> before, List<string> after)
    {
        after.Count.ShouldBe(before.Count);
        return [.. before.Zip(after, (b, a) =>
        {
            var was = JsonDocument.Parse(b).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
            return string.Join(", ", JsonDocument.Parse(a).RootElement.EnumerateObject()
                .Where(p => !was.TryGetValue(p.Name, out var old) || old != p.Value.GetRawText())
                .Select(p => $"{p.Name}={p.Value.GetRawText()}"));
        })];
    }

    [Fact]
    public async Task marten_finds_the_store_as_it_is_configured()
    {
        await WriteThroughTheLedgerAsync();
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // Marten's own schema check: every table, column and index the writer wrote into is what Marten expects.
        await Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
    }

    [Fact]
    public void every_column_the_writer_fills_is_one_of_martens_and_none_marten_requires_is_left_out()
    {
        var tables = Ledger.Projections.InlineAppender.EventTables(Store);
        ShouldFit(tables.Single(t => t.Identifier.Name == "mt_events"), WrittenColumns.Events);
        ShouldFit(tables.Single(t => t.Identifier.Name == "mt_streams"), WrittenColumns.Streams);
        ShouldFit(Ledger.Projections.InlineAppender.MartenTable(Store, typeof(Message)), [.. WrittenColumns.Documents, "day", "provider", "account"]);
        ShouldFit(Ledger.Projections.InlineAppender.MartenTable(Store, typeof(RejectedRequest)), [.. WrittenColumns.Documents, "day", "provider", "account"]);
        ShouldFit(Ledger.Projections.InlineAppender.MartenTable(Store, typeof(Ledger.Ingest.RawRequestRecord)), WrittenColumns.RawRecords);
        // The archive flag ArchiveWriter sets, on both event tables.
        WrittenColumns.Events.ShouldContain(WrittenColumns.Archived);
        WrittenColumns.Streams.ShouldContain(WrittenColumns.Archived);
    }

    private static void ShouldFit(Weasel.Postgresql.Tables.Table table, IReadOnlyCollection<string> written)
    {
        var columns = table.Columns.ToDictionary(c => c.Name);
        foreach (var name in written)
        {
            columns.ShouldContainKey(name, $"{table.Identifier} has no column {name}");
        }

        foreach (var column in table.Columns.Where(c => !c.AllowNulls && c.DefaultExpression is null && !written.Contains(c.Name)))
        {
            throw new ShouldAssertException($"{table.Identifier}.{column.Name} is required by Marten but the writer does not fill it");
        }
    }
}
