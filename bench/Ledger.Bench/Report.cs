namespace Ledger.Bench;

public static class Report
{
    public static void Print(IReadOnlyList<ScenarioResult> results, IReadOnlyDictionary<string, double> baselines, ServiceProcess service)
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-56} {"conc",5} {"requests",9} {"errors",7} {"req/s",9} {"reports/s",10} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"svc cpu%",9} {"pg cpu%",8} {"gen cpu%",9} {"svc µs/req",11}");
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Name,-56} {r.Concurrency,5} {r.Requests,9} {r.Errors,7} {r.RequestsPerSecond,9:F0} {r.ReportsPerSecond,10:F0} {r.P50Ms,8:F1} {r.P95Ms,8:F1} {r.P99Ms,8:F1} {r.MaxMs,8:F1} {r.ServiceCpuPercent,9:F0} {r.PostgresCpuPercent,8:F0} {r.GeneratorCpuPercent,9:F0} {r.ServiceMicrosecondsPerRequest,11:F0}");
            if (r.FirstError is not null)
            {
                Console.WriteLine($"    first error: {r.FirstError[..Math.Min(200, r.FirstError.Length)]}");
            }
        }

        Console.WriteLine();
        if (baselines.TryGetValue("single", out var single))
        {
            foreach (var s in results.Where(r => r.Name.StartsWith("single-report (", StringComparison.Ordinal)))
            {
                Console.WriteLine($"pgbench single-callback baseline: {single:F0} tps at 32 clients → {s.Name}: {s.RequestsPerSecond:F0} req/s = {s.RequestsPerSecond / single:F2}x");
            }
        }

        if (baselines.TryGetValue("batch", out var batch) && results.FirstOrDefault(r => r.Name.StartsWith("100")) is { } b)
        {
            Console.WriteLine($"pgbench 100-row batch baseline: {batch:F0} rows/s at 16 clients → ledger {b.ReportsPerSecond:F0} reports/s = {b.ReportsPerSecond / batch:F2}x");
        }

        Console.WriteLine("cpu% is CPU time used during the scenario per second of wall time (200% = both cores): the service, the bench's");
        Console.WriteLine("PostgreSQL, the load generator; svc µs/req is the service's CPU time per request.");
        Console.WriteLine($"service peak RSS: {service.PeakRssMb:F0} MB; start to first served request (database running): {service.StartToFirstRequest.TotalMilliseconds:F0} ms");
    }
}
