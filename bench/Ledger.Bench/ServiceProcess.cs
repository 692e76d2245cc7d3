using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ledger.Bench;

/// <summary>The service as its own process (Release build), with its peak memory read from /proc.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, string baseUrl, TimeSpan startup)
    {
        _process = process;
        BaseUrl = baseUrl;
        StartToFirstRequest = startup;
    }

    public string BaseUrl { get; }

    public int Pid => _process.Id;

    public TimeSpan StartToFirstRequest { get; }

    private double _peakRssMb;

    /// <summary>Resident set now (VmRSS), in MB.</summary>
    public double CurrentRssMb
    {
        get
        {
            try
            {
                var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:"));
                return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary>Peak resident set (VmHWM) of the service so far, in MB (the last reading once it has stopped).</summary>
    public double PeakRssMb
    {
        get
        {
            try
            {
                var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
                if (line is not null)
                {
                    _peakRssMb = Math.Max(_peakRssMb, double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0);
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // the process has gone: keep the last reading
            }

            return _peakRssMb;
        }
    }

    /// <summary>Starts <paramref name="dll"/> (default: this repository's Release build of the service).</summary>
    public static async Task<ServiceProcess> StartAsync(string connectionString, string? dll = null)
    {
        dll ??= FindServiceDll();
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["ConnectionStrings__Ledger"] = connectionString;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // The runtime settings the service ships with (Server GC, from the web SDK): forcing workstation GC
        // here once measured a third more service CPU per report, on a build that does not run that way.
        // All the load comes from one address: the per-source limit (2,000/s by default, for a provider's
        // address) would answer 429 to the bench, which measures the ledger, not its rate limiter.
        info.Environment["Ledger__RateLimit__PerSourcePerSecond"] = "0";
        info.Environment["Ledger__Providers__twilio__default__Secrets__0"] = Twilio.AuthToken;
        info.Environment["Ledger__PublicBaseUrl"] = Twilio.PublicBaseUrl;
        // Service settings for an experiment, e.g. LEDGER_BENCH_Ledger__Ingest__Lanes=6.
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Select(e => ((string)e.Key, (string?)e.Value)).Where(e => e.Item1.StartsWith("LEDGER_BENCH_", StringComparison.Ordinal)))
        {
            info.Environment[name["LEDGER_BENCH_".Length..]] = value;
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[service] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var url = $"http://127.0.0.1:{port}";
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                var response = await client.GetAsync($"{url}/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return new ServiceProcess(process, url, watch.Elapsed);
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {process.ExitCode}");
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The service did not answer /health within 60 s");
    }

    private static string FindServiceDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Web", "bin", "Release", "net10.0", "Ledger.Web.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Build the service first: dotnet build src/Web -c Release");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _ = PeakRssMb;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
