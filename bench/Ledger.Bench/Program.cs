using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Bench;
using Ledger.Web.Hosting;

// The load generator: starts a fresh PostgreSQL (fsync on) and a fresh service process, runs the
// scenarios, runs the pgbench baseline on the same database at the same concurrency, and prints our
// rates as ratios of it. Usage: dotnet run -c Release --project bench/Ledger.Bench -- [--seconds 10]
var seconds = Arg(args, "--seconds", 10);
var only = ArgString(args, "--only");
var large = Arg(args, "--large", 0);
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

var service = await ServiceProcess.StartAsync(external ?? postgres!.ConnectionString);
Console.WriteLine($"service: first served request {service.StartToFirstRequest.TotalMilliseconds:F0} ms after process start (database already running)");
try
{
    var client = new LoadClient(service.BaseUrl);
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
        var seedRate = await store.SeedAsync(large);
        notes.Add($"seeded {large:N0} messages ({large * 2:N0} events) at {seedRate:F0} reports/s through 100-report batches");
        var keys = store.SampleKeys;
        results.Add(await client.RunAsync($"history reads over {large * 2:N0} events (64 readers)", 64, TimeSpan.FromSeconds(seconds), 0,
            (i, _) => ($"/messages/aliyun/{keys[i % keys.Count]}/history", null, null), service));

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
            notes.Add($"replay over {large * 2:N0} events ({scanned:N0} requests re-read): {replaySeconds:F0} s = {large * 2 / replaySeconds:F0} events/s; " +
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
