using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Bench;
using Ledger.Web.Hosting;

// The load generator: starts a fresh PostgreSQL (fsync on) and a fresh service process, runs the
// scenarios, runs the pgbench baseline on the same database at the same concurrency, and prints our
// rates as ratios of it. Usage: dotnet run -c Release --project bench/Ledger.Bench -- [--seconds 10]
// [--only disk,single,batch,duplicates,reads] [--floor: with disk, how low it can go in this model (DiskFloor.cs)] [--large N [--only history,status,export,replay]]
// [--service other/Ledger.Web.dll] runs another build of the service instead of this repository's;
// [--compare other/Ledger.Web.dll [--rounds 3]] runs the large store's reads (history, status) on this
// build and on the other one alternately, same database, so a before/after survives a noisy machine.
var seconds = Arg(args, "--seconds", 10);
var only = ArgString(args, "--only");
var large = Arg(args, "--large", 0);
var serviceDll = ArgString(args, "--service");
var compareDll = ArgString(args, "--compare");
var rounds = Arg(args, "--rounds", 3);
var notes = new List<string>();
var root = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
var results = new List<ScenarioResult>();
var baselines = new Dictionary<string, double>();

// --postgres "<connection string>": an existing server instead (e.g. one with pg_stat_statements loaded to
// see where the time goes); no pgbench baseline then.
var external = ArgString(args, "--postgres");
await using var postgres = external is null ? await LocalPostgres.StartAsync(root, durable: true) : null;
if (postgres is not null)
{
    postgres.DeleteOnDispose = true; // a large run leaves gigabytes otherwise
}
var bin = LocalPostgres.FindBinaries();
Console.WriteLine(postgres is null ? "PostgreSQL: the given server" : $"PostgreSQL on port {postgres.Port} (fsync on), data in {root}");

// The postmaster's pid, to count our PostgreSQL's CPU only (0 for a given server: not measured).
var postmaster = postgres is null ? 0 : CpuMeter.Postmaster(postgres.ClusterDirectory);
var service = await ServiceProcess.StartAsync(external ?? postgres!.ConnectionString, serviceDll);
Console.WriteLine($"service: first served request {service.StartToFirstRequest.TotalMilliseconds:F0} ms after process start (database already running)");
try
{
    var client = new LoadClient(service.BaseUrl, postmaster);
    await client.WarmUpAsync();
    // Steady state, not start-up: the JIT promotes hot code to its optimised tier only after a few
    // seconds of real load, so each ingest path runs under load first (not counted; --warmup 0 to skip).
    var warmup = Arg(args, "--warmup", 5);
    if (warmup > 0)
    {
        await client.RunAsync("warm-up (single)", 32, TimeSpan.FromSeconds(warmup), 1,
            (i, id) => ("/callbacks/tencent", Payloads.Tencent(id, 1), "application/json"), service);
        await client.RunAsync("warm-up (batch)", 16, TimeSpan.FromSeconds(warmup), 100,
            (i, id) => ("/callbacks/aliyun", Payloads.Aliyun(id, 100), "application/json"), service);
    }

    bool Run(string name) => only is null || only.Split(',').Contains(name);

    if (Run("disk"))
    {
        // Bytes per report: 20,000 Aliyun reports in 100-report batches and 5,000 single Tencent reports.
        var (perReport, breakdown) = await DiskUse.MeasureAsync(external ?? postgres!.SuperuserConnectionString, client, service);
        notes.Add($"disk per report: {perReport:F0} bytes (tables + indexes + TOAST, {DiskUse.BatchReports:N0} batched Aliyun + {DiskUse.SingleReports:N0} single Tencent reports); per table: {breakdown}");
        if (args.Contains("--floor"))
        {
            notes.AddRange(await DiskFloor.MeasureAsync(external ?? postgres!.SuperuserConnectionString, perReport));
        }
    }

    if (Run("single"))
    {
        results.Add(await client.RunAsync("single-report (Tencent 1-item array)", 32, TimeSpan.FromSeconds(seconds), 1,
            (i, id) => ("/callbacks/tencent", Payloads.Tencent(id, 1), "application/json"), service));
    }

    if (Run("twilio"))
    {
        results.Add(await client.RunAsync("single-report (Twilio form, signed)", 32, TimeSpan.FromSeconds(seconds), 1,
            (i, id) => ("/callbacks/twilio", Payloads.TwilioStatus(id), "application/x-www-form-urlencoded"), service));
    }

    if ((Run("single") || Run("twilio")) && postgres is not null)
    {
        baselines["single"] = await PgBench.SingleAsync(bin, postgres, 32, seconds);
    }

    if (Run("batch"))
    {
        results.Add(await client.RunAsync("100-report batches (Aliyun)", 16, TimeSpan.FromSeconds(seconds), 100,
            (i, id) => ("/callbacks/aliyun", Payloads.Aliyun(id, 100), "application/json"), service));
        if (postgres is not null)
        {
            baselines["batch"] = await PgBench.BatchAsync(bin, postgres, 16, seconds);
        }
    }

    if (Run("duplicates"))
    {
        // The same report 50 times, concurrently, for each of 1,000 messages.
        var storm = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid().ToString("N")).ToArray();
        results.Add(await client.RunCountAsync("duplicate storm (1,000 messages × 50)", 64, 50_000, 1,
            i => ("/callbacks/tencent", Payloads.TencentFixed(storm[i % 1000]), "application/json"), service));
    }

    if (large > 0)
    {
        // A large store first: history reads, the month's export and replays run over it.
        var store = new LargeStore(service.BaseUrl, service);
        if (external is not null && args.Contains("--seeded"))
        {
            // --seeded with --postgres: the given database already holds an earlier run's store of this size
            // (read experiments without a minute of seeding each time).
            store.UseSeeded(large);
        }
        else
        {
            var seedRate = await store.SeedAsync(large);
            notes.Add($"seeded {large:N0} messages ({large:N0} events) at {seedRate:F0} reports/s through 100-report batches");
        }
        // A store at rest, not one still digesting the seeding burst: without this, autovacuum and the
        // checkpoint after a million inserts run during the reads (max latencies of ~300 ms measured).
        var settle = System.Diagnostics.Stopwatch.StartNew();
        await using (var connection = new Npgsql.NpgsqlConnection(external ?? postgres!.SuperuserConnectionString))
        {
            await connection.OpenAsync();
            await new Npgsql.NpgsqlCommand("vacuum (analyze)", connection) { CommandTimeout = 0 }.ExecuteNonQueryAsync();
            await new Npgsql.NpgsqlCommand("checkpoint", connection) { CommandTimeout = 0 }.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"store settled (vacuum analyze, checkpoint) in {settle.Elapsed.TotalSeconds:F0} s");
        var keys = store.SampleKeys;
        var reads = new List<(string Name, Func<int, string> Path)>();
        if (Run("history"))
        {
            reads.Add(($"history reads over {large:N0} reports (64 readers)", i => $"/messages/aliyun/{keys[i % keys.Count]}/history"));
        }

        if (Run("status"))
        {
            reads.Add(($"status reads over {large:N0} messages (64 readers)", i => $"/messages/aliyun/{keys[i % keys.Count]}"));
        }

        // One build, or this build and the compared one in turns (A B A B …) on the same data, both running
        // all along (an idle one costs nothing) and both warmed up first, so no turn pays for start-up.
        var builds = new List<(string Label, ServiceProcess Service, LoadClient Client)> { (compareDll is null ? "" : " [this]", service, client) };
        if (compareDll is not null)
        {
            var other = await ServiceProcess.StartAsync(external ?? postgres!.ConnectionString, compareDll);
            builds.Add((" [compared]", other, new LoadClient(other.BaseUrl, postmaster)));
        }

        try
        {
            foreach (var (_, build, buildClient) in builds)
            {
                foreach (var (_, path) in reads)
                {
                    await buildClient.RunAsync("warm-up", 64, TimeSpan.FromSeconds(3), 0, (i, _) => (path(i), null, null), build);
                }
            }

            for (var round = 0; round < (compareDll is null ? 1 : rounds); round++)
            {
                foreach (var (label, build, buildClient) in builds)
                {
                    foreach (var (name, path) in reads)
                    {
                        results.Add(await buildClient.RunAsync(name + label, 64, TimeSpan.FromSeconds(seconds), 0, (i, _) => (path(i), null, null), build));
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, build, _) in builds.Skip(1))
            {
                await build.DisposeAsync();
            }
        }

        if (Run("export"))
        {
            var export = await store.ExportMonthAsync();
            notes.Add($"CSV export of one month: {export.Rows:N0} rows, {export.Bytes / 1048576.0:F0} MB in {export.Seconds:F1} s; service RSS peak during export {export.PeakRssMb:F0} MB");
        }

        if (Run("replay"))
        {
            var quiet = await client.RunAsync("single-report, no replay running", 32, TimeSpan.FromSeconds(seconds), 1,
                (i, id) => ("/callbacks/tencent", Payloads.Tencent(id, 1), "application/json"), service);
            results.Add(quiet);
            var replay = store.ReplayAsync(dryRun: false);
            var during = await client.RunAsync("single-report while a replay runs", 32, TimeSpan.FromSeconds(seconds), 1,
                (i, id) => ("/callbacks/tencent", Payloads.Tencent(id, 1), "application/json"), service);
            results.Add(during);
            var (replaySeconds, scanned) = await replay;
            notes.Add($"replay over {large:N0} events ({scanned:N0} requests re-read): {replaySeconds:F0} s = {large / replaySeconds:F0} events/s; " +
                $"ingest during it {during.RequestsPerSecond:F0} req/s vs {quiet.RequestsPerSecond:F0} without ({during.RequestsPerSecond / quiet.RequestsPerSecond:F2}x)");
        }
    }

    if (Run("reads"))
    {
        var keys = await client.SeedAsync(2_000);
        results.Add(await client.RunAsync("status reads (64 readers)", 64, TimeSpan.FromSeconds(seconds), 0,
            (i, _) => ($"/messages/tencent/{keys[i % keys.Count]}", null, null), service));
        results.Add(await client.RunAsync("history reads (64 readers)", 64, TimeSpan.FromSeconds(seconds), 0,
            (i, _) => ($"/messages/tencent/{keys[i % keys.Count]}/history", null, null), service));
    }

    if (Run("mixed"))
    {
        // Ingest and support at once: 32 connections pushing single reports while 32 readers fetch
        // histories of messages already stored (the CPU columns cover both halves together).
        var keys = await client.SeedAsync(2_000);
        var ingest = client.RunAsync("mixed: single-report ingest (32 connections)", 32, TimeSpan.FromSeconds(seconds), 1,
            (i, id) => ("/callbacks/tencent", Payloads.Tencent(id, 1), "application/json"), service);
        var reads = client.RunAsync("mixed: history reads alongside (32 readers)", 32, TimeSpan.FromSeconds(seconds), 0,
            (i, _) => ($"/messages/tencent/{keys[i % keys.Count]}/history", null, null), service);
        results.Add(await ingest);
        results.Add(await reads);
    }
}
finally
{
    await service.DisposeAsync();
}

Report.Print(results, baselines, service);
foreach (var note in notes)
{
    Console.WriteLine(note);
}

var json = Path.Combine(AppContext.BaseDirectory, "bench-results.json");
await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { results, baselines, notes, startToFirstRequestMs = service.StartToFirstRequest.TotalMilliseconds, peakRssMb = service.PeakRssMb },
    new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"JSON: {json}");
return 0;

static int Arg(string[] args, string name, int fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;

static string? ArgString(string[] args, string name) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
