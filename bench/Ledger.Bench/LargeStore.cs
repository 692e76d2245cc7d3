using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Ledger.Bench;

/// <summary>
/// Scenarios over a large store: seeding it through the real ingest path (100-report Aliyun batches,
/// report times spread over one month so finance's days fill), history reads, a month's CSV export,
/// and a replay over everything with and without live ingest beside it.
/// </summary>
public sealed class LargeStore(string baseUrl, ServiceProcess service)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromMinutes(30),
    };

    public List<string> SampleKeys { get; } = [];

    /// <summary>The sample keys of a store <see cref="SeedAsync"/> seeded before (its keys are a function of the batch number).</summary>
    public void UseSeeded(int messages)
    {
        for (var n = 0; n < (messages + 99) / 100; n++)
        {
            SampleKeys.Add(SampleKey(n));
        }
    }

    private static string SampleKey(int n) => $"seed{n:D7}:139{n * 37 % 100:D8}";

    /// <summary>Seeds <paramref name="messages"/> messages (two events each); returns reports/s.</summary>
    public async Task<double> SeedAsync(int messages, int concurrency = 16)
    {
        var batches = (messages + 99) / 100;
        var next = -1;
        var errors = 0;
        var watch = Stopwatch.StartNew();
        var lastReport = watch.Elapsed;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= batches)
                {
                    return;
                }

                var biz = $"seed{n:D7}";
                var day = 1 + n % 28;
                var body = Payloads.Aliyun(biz, 100, $"2026-10-{day:D2} 10:32:05");
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync("/callbacks/aliyun", content);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }

                // One message of every request, spread over the item positions: reads then range over
                // the whole store instead of a few cached documents.
                lock (SampleKeys)
                {
                    SampleKeys.Add(SampleKey(n));
                }

                if (n % 500 == 0 && watch.Elapsed - lastReport > TimeSpan.FromSeconds(15))
                {
                    lastReport = watch.Elapsed;
                    Console.WriteLine($"  seeded {n * 100:N0} messages ({n * 100 / watch.Elapsed.TotalSeconds:F0}/s)");
                }
            }
        })));
        var rate = messages / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"seeded {messages:N0} messages ({messages:N0} events: one per report) in {watch.Elapsed.TotalSeconds:F0} s = {rate:F0} reports/s, {errors} errors");
        return rate;
    }

    /// <summary>Exports one month of per-message rows as CSV; returns (seconds, rows, bytes, peak RSS MB during the export).</summary>
    public async Task<(double Seconds, long Rows, long Bytes, double PeakRssMb)> ExportMonthAsync()
    {
        var peak = 0.0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, service.CurrentRssMb);
                await Task.Delay(50);
            }
        });
        var watch = Stopwatch.StartNew();
        using var response = await _http.GetAsync("/reconciliation/messages?from=2026-10-01&to=2026-10-31&format=csv", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long bytes = 0, rows = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            rows += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        var seconds = watch.Elapsed.TotalSeconds;
        sampling.Cancel();
        await sampler;
        return (seconds, rows - 1, bytes, peak);
    }

    /// <summary>Runs a replay over everything (nothing to correct: it reads and compares every item); returns (seconds, requests scanned).</summary>
    public async Task<(double Seconds, long Scanned)> ReplayAsync(bool dryRun)
    {
        var watch = Stopwatch.StartNew();
        using var start = await _http.PostAsJsonAsync("/replays", new { provider = "aliyun", includeQuarantine = false, dryRun });
        start.EnsureSuccessStatusCode();
        var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        while (true)
        {
            var job = await _http.GetFromJsonAsync<JsonElement>($"/replays/{id}");
            var state = job.GetProperty("state").GetString();
            if (state is "completed" or "failed")
            {
                return (watch.Elapsed.TotalSeconds, job.GetProperty("scanned").GetInt64());
            }

            await Task.Delay(250);
        }
    }
}
