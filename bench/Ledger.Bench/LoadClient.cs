using System.Diagnostics;
using System.Net;
using System.Text;

namespace Ledger.Bench;

public sealed record ScenarioResult(
    string Name, int Concurrency, long Requests, long Errors, double Seconds, double RequestsPerSecond,
    double ReportsPerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double PeakRssMb, string? FirstError,
    double ServiceCpuPercent = 0, double PostgresCpuPercent = 0, double GeneratorCpuPercent = 0)
{
    /// <summary>Service CPU time per request (what a closed loop at a fixed concurrency turns into latency).</summary>
    public double ServiceMicrosecondsPerRequest => RequestsPerSecond > 0 ? ServiceCpuPercent / 100 / RequestsPerSecond * 1e6 : 0;
}

/// <summary>Closed-loop load: N workers, each sending its next request as soon as the previous answered.</summary>
public sealed class LoadClient(string baseUrl, int postmasterPid)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task WarmUpAsync()
    {
        for (var i = 0; i < 50; i++)
        {
            await SendAsync(("/callbacks/tencent", Payloads.Tencent(Guid.NewGuid().ToString("N"), 1), "application/json"));
        }
    }

    public async Task<List<string>> SeedAsync(int messages)
    {
        var keys = new List<string>();
        for (var i = 0; i < messages; i += 100)
        {
            var prefix = Guid.NewGuid().ToString("N")[..12];
            await SendAsync(("/callbacks/tencent", Payloads.Tencent(prefix, 100), "application/json"));
            keys.AddRange(Enumerable.Range(0, 100).Select(n => $"{prefix}-{n}"));
        }

        return keys;
    }

    public Task<ScenarioResult> RunAsync(string name, int concurrency, TimeSpan duration, int reportsPerRequest,
        Func<int, string, (string Path, string? Body, string? ContentType)> request, ServiceProcess service) =>
        RunCoreAsync(name, concurrency, reportsPerRequest, service, (worker, stop) => stop.Elapsed < duration,
            (i) => request(i, Guid.NewGuid().ToString("N")[..16]));

    public Task<ScenarioResult> RunCountAsync(string name, int concurrency, int total, int reportsPerRequest,
        Func<int, (string Path, string? Body, string? ContentType)> request, ServiceProcess service)
    {
        var next = -1;
        return RunCoreAsync(name, concurrency, reportsPerRequest, service, (_, _) => Volatile.Read(ref next) < total - 1,
            _ => request(Interlocked.Increment(ref next)));
    }

    private async Task<ScenarioResult> RunCoreAsync(string name, int concurrency, int reportsPerRequest, ServiceProcess service,
        Func<int, Stopwatch, bool> keepGoing, Func<int, (string, string?, string?)> request)
    {
        var latencies = new List<double>[concurrency];
        long errors = 0;
        string? firstError = null;
        var counter = 0;
        var cpuBefore = CpuMeter.Sample(service.Pid, postmasterPid);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            while (keepGoing(w, watch))
            {
                var r = request(Interlocked.Increment(ref counter));
                var start = Stopwatch.GetTimestamp();
                var (ok, error) = await SendAsync(r);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        })));
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpuAfter = CpuMeter.Sample(service.Pid, postmasterPid);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
        var rps = all.Length / elapsed;
        return new ScenarioResult(name, concurrency, all.Length, errors, elapsed, rps, rps * reportsPerRequest,
            P(0.50), P(0.95), P(0.99), all.Length == 0 ? 0 : all[^1], service.PeakRssMb, firstError,
            (cpuAfter.Service - cpuBefore.Service) / elapsed * 100, (cpuAfter.Postgres - cpuBefore.Postgres) / elapsed * 100,
            (cpuAfter.Generator - cpuBefore.Generator) / elapsed * 100);
    }

    private async Task<(bool Ok, string? Error)> SendAsync((string Path, string? Body, string? ContentType) r)
    {
        try
        {
            using var message = new HttpRequestMessage(r.Body is null ? HttpMethod.Get : HttpMethod.Post, r.Path);
            if (r.Body is not null)
            {
                message.Content = new StringContent(r.Body, Encoding.UTF8);
                message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(r.ContentType ?? "application/json");
                if (r.Path.StartsWith("/callbacks/twilio", StringComparison.Ordinal))
                {
                    message.Headers.Add("X-Twilio-Signature", Twilio.Sign(r.Path, r.Body));
                }
            }

            using var response = await _http.SendAsync(message);
            await response.Content.LoadIntoBufferAsync();
            return response.IsSuccessStatusCode ? (true, null) : (false, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.Message);
        }
    }
}
