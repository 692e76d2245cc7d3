using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// Bytes on disk per report: every relation of the ledger's schema (tables, indexes, TOAST) measured after
/// a checkpoint before and after a fixed mix of reports, the growth divided by the reports.
/// </summary>
public static class DiskUse
{
    public const int BatchReports = 20_000;
    public const int SingleReports = 5_000;

    public static async Task<(double BytesPerReport, string Breakdown)> MeasureAsync(string connectionString, LoadClient client, ServiceProcess service)
    {
        var before = await SizesAsync(connectionString);
        var batch = await client.RunCountAsync("disk mix: 100-report Aliyun batches", 16, BatchReports / 100, 100,
            i => ("/callbacks/aliyun", Payloads.Aliyun($"disk{i:D6}-{Guid.NewGuid():N}"[..24], 100), "application/json"), service);
        var single = await client.RunCountAsync("disk mix: single Tencent reports", 32, SingleReports, 1,
            i => ("/callbacks/tencent", Payloads.Tencent($"disk-{Guid.NewGuid():N}", 1), "application/json"), service);
        if (batch.Errors + single.Errors > 0)
        {
            throw new InvalidOperationException($"the disk mix had {batch.Errors + single.Errors} errors");
        }

        var after = await SizesAsync(connectionString);
        var reports = BatchReports + SingleReports;
        var growth = after.Sum(a => a.Value - before.GetValueOrDefault(a.Key));
        var parts = after.Select(a => (a.Key, Bytes: (a.Value - before.GetValueOrDefault(a.Key)) / (double)reports))
            .Where(p => p.Bytes >= 1).OrderByDescending(p => p.Bytes).Select(p => $"{p.Key} {p.Bytes:F0}");
        return (growth / (double)reports, string.Join(", ", parts));
    }

    /// <summary>pg_total_relation_size of every table of the ledger's schemas (indexes and TOAST included), after a checkpoint.</summary>
    private static async Task<Dictionary<string, long>> SizesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand("checkpoint", connection) { CommandTimeout = 0 }.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            "select c.relname, pg_total_relation_size(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
            "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'", connection);
        var sizes = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sizes[reader.GetString(0)] = sizes.GetValueOrDefault(reader.GetString(0)) + reader.GetInt64(1);
        }

        return sizes;
    }
}
