using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// How far the disk figure can fall in this data model (`--floor` with the disk mix): the mix's event, message
/// and raw-request rows are copied in SQL into scratch tables under each design that would make them smaller,
/// and each copy's heap is measured. Indexes and stream rows are Marten's and keyed by the stream id, so they
/// stay as measured. What it prints is the evidence behind docs/performance.md's "how low disk can go".
/// </summary>
public static class DiskFloor
{
    /// <summary>The designs, each as the SQL that rebuilds one table's rows (`%src` is the mix's rows).</summary>
    private static readonly (string Name, string Table, string Select)[] Designs =
    [
        ("as stored", "events", "select * from %src"),
        ("as stored", "message", "select * from %src"),
        ("as stored", "raw", "select * from %src"),
        // The status's details and every entry's reading left to the events: an entry keeps what the report did.
        ("no reading in the document", "message", $"select id, {Entries("data")} as data, mt_last_modified, mt_dotnet_type, mt_version, day, provider, account from %src"),
        // The same, but the reading that set the status kept beside the entries (the status view reads one row).
        ("only the status's reading in the document", "message",
            $"select id, {Entries("data")} || jsonb_build_object('Applied', data->'Entries'->coalesce((data->>'AppliedEntry')::int, 0)) as data, mt_last_modified, mt_dotnet_type, mt_version, day, provider, account from %src"),
        ("event without its time rule", "events", "select seq_id, id, stream_id, version, data #- '{Report,ProviderTime,Rule}' as data, bdata, type, timestamp, tenant_id, mt_dotnet_type, is_archived from %src"),
        ("raw request without derivable fields, body as text", "raw", $"select id, {RawRequest("data")} as data, mt_last_modified, mt_version, mt_dotnet_type from %src"),
        ("JSON names of one or two letters", "events", "select seq_id, id, stream_id, version, pg_temp.shorten(data) as data, bdata, type, timestamp, tenant_id, mt_dotnet_type, is_archived from %src"),
        ("JSON names of one or two letters", "message", "select id, pg_temp.shorten(data) as data, mt_last_modified, mt_dotnet_type, mt_version, day, provider, account from %src"),
        ("JSON names of one or two letters", "raw", "select id, pg_temp.shorten(data) as data, mt_last_modified, mt_version, mt_dotnet_type from %src"),
        ("every lever at once", "events", "select seq_id, id, stream_id, version, pg_temp.shorten(data #- '{Report,ProviderTime,Rule}') as data, bdata, type, timestamp, tenant_id, mt_dotnet_type, is_archived from %src"),
        ("every lever at once", "message", $"select id, pg_temp.shorten({Entries("data")}) as data, mt_last_modified, mt_dotnet_type, mt_version, day, provider, account from %src"),
        ("every lever at once", "raw", $"select id, pg_temp.shorten({RawRequest("data")}) as data, mt_last_modified, mt_version, mt_dotnet_type from %src"),
    ];

    /// <summary>A message document whose entries keep only what each event did (no reading), without the fields derivable from them.</summary>
    private static string Entries(string data) =>
        $"(({data} - 'Final' - 'Category' - 'Retryable' - 'BilledParts' - 'CallbackCount' - 'FirstReceivedAt' - 'AppliedEntry') || " +
        "jsonb_build_object('Entries', (select coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('Type', e->'Type', 'Effect', e->'Effect', " +
        "'StatusAfter', e->'StatusAfter', 'RequestId', e->'RequestId', 'ItemIndex', e->'ItemIndex', 'ReceivedAt', e->'ReceivedAt', " +
        $"'GapSeconds', e->'GapSeconds', 'ReplayId', e->'ReplayId'))), '[]') from jsonb_array_elements({data}->'Entries') e)))";

    /// <summary>A raw request with its body as text and without what the path, the defaults and the events already say.</summary>
    private static string RawRequest(string data) =>
        $"(({data} - 'Url' - 'Path' - 'QueryString' - 'RefusedItems' - 'BodyTruncated' - 'Streams' - 'Body') || " +
        $"jsonb_build_object('BodyText', coalesce({data}->>'BodyText', convert_from(decode({data}->>'Body', 'base64'), 'UTF8'))))";

    public static async Task<List<string>> MeasureAsync(string connectionString, double measuredBytesPerReport)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var schema = (string)(await new NpgsqlCommand(
            "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = 'mt_events' limit 1", connection).ExecuteScalarAsync())!;
        // Only the mix's rows (its keys start with "disk"), not the warm-up's.
        await Execute(connection, $$"""
            create temp table src_events as select * from {{schema}}.mt_events where stream_id like 'aliyun:disk%' or stream_id like 'tencent:disk-%';
            create temp table src_message as select * from {{schema}}.mt_doc_message where id like 'aliyun:disk%' or id like 'tencent:disk-%';
            create temp table src_raw as select * from {{schema}}.mt_doc_raw_request where data->'Streams'->>0 like 'aliyun:disk%' or data->'Streams'->>0 like 'tencent:disk-%';
            create function pg_temp.keys_of(j jsonb) returns setof text language sql immutable as $$
              select k from (select jsonb_object_keys(j) k where jsonb_typeof(j) = 'object') a
              union select pg_temp.keys_of(v) from jsonb_each(case when jsonb_typeof(j) = 'object' then j else '{}' end) e(k2, v)
              union select pg_temp.keys_of(v) from jsonb_array_elements(case when jsonb_typeof(j) = 'array' then j else '[]' end) v $$;
            create temp table keymap as select k, chr(65 + n % 26) || case when n >= 26 then chr(97 + n / 26 - 1) else '' end as s
              from (select k, (row_number() over (order by k))::int - 1 as n from (
                select distinct pg_temp.keys_of(data) k from src_events union select distinct pg_temp.keys_of(data) from src_message
                union select distinct pg_temp.keys_of(data) from src_raw union select 'Applied') z) w;
            create function pg_temp.shorten(j jsonb) returns jsonb language sql immutable as $$
              select case jsonb_typeof(j)
                when 'object' then coalesce((select jsonb_object_agg(coalesce(m.s, e.key), pg_temp.shorten(e.value)) from jsonb_each(j) e left join keymap m on m.k = e.key), '{}'::jsonb)
                when 'array' then coalesce((select jsonb_agg(pg_temp.shorten(v)) from jsonb_array_elements(j) v), '[]'::jsonb)
                else j end $$;
            """);
        var reports = (long)(await new NpgsqlCommand("select count(*) from src_events", connection).ExecuteScalarAsync())!;
        var heap = new Dictionary<(string Design, string Table), double>();
        var i = 0;
        foreach (var (name, table, select) in Designs)
        {
            var copy = $"floor_{i++}";
            await Execute(connection, $"create temp table {copy} as {select.Replace("%src", "src_" + table)}");
            heap[(name, table)] = (long)(await new NpgsqlCommand($"select pg_relation_size('{copy}')", connection).ExecuteScalarAsync())! / (double)reports;
        }

        var lines = new List<string> { $"disk floor over the mix's {reports:N0} reports (each table's heap rebuilt in SQL under a design; indexes and stream rows as measured):" };
        var tables = new Dictionary<string, string> { ["events"] = "mt_events", ["message"] = "mt_doc_message", ["raw"] = "mt_doc_raw_request" };
        foreach (var design in Designs.Select(d => d.Name).Distinct().Skip(1))
        {
            var saved = Designs.Where(d => d.Name == design).Sum(d => heap[("as stored", d.Table)] - heap[(design, d.Table)]);
            var parts = Designs.Where(d => d.Name == design).Select(d => $"{tables[d.Table]} heap {heap[("as stored", d.Table)]:F0} -> {heap[(design, d.Table)]:F0}");
            lines.Add($"  {design}: {measuredBytesPerReport - saved:F0} bytes per report ({string.Join(", ", parts)})");
        }

        return lines;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
