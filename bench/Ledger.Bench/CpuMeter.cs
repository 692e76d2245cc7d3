using System.Diagnostics;

namespace Ledger.Bench;

/// <summary>
/// CPU seconds used by the service process, by the bench's own PostgreSQL (its postmaster and that
/// postmaster's children, not any other cluster on the machine) and by the load generator itself, from
/// /proc: shows which side a scenario spends its time on (the question performance work starts from).
/// </summary>
public static class CpuMeter
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static (double Service, double Postgres, double Generator) Sample(int servicePid, int postmasterPid)
    {
        double service = 0, postgres = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                var parent = int.Parse(fields[1]);
                var seconds = (double.Parse(fields[11]) + double.Parse(fields[12])) / TicksPerSecond;
                if (pid == servicePid)
                {
                    service += seconds;
                }
                else if (pid == postmasterPid)
                {
                    // Plus the backends that have exited (a pool closing connections): the postmaster
                    // reaps them, and their time moves to its cutime/cstime.
                    postgres += seconds + (double.Parse(fields[13]) + double.Parse(fields[14])) / TicksPerSecond;
                }
                else if (parent == postmasterPid)
                {
                    postgres += seconds;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // the process ended while we looked
            }
        }

        using var self = Process.GetCurrentProcess();
        return (service, postgres, self.TotalProcessorTime.TotalSeconds);
    }

    /// <summary>The postmaster's pid, from the first line of postmaster.pid in the cluster directory.</summary>
    public static int Postmaster(string clusterDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(clusterDirectory, "postmaster.pid")).First());
}
