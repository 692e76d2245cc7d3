namespace Ledger.Bench;

/// <summary>
/// CPU seconds used by the service process and by all PostgreSQL processes, from /proc: shows which
/// side a scenario spends its time on (the question performance work starts from).
/// </summary>
public static class CpuMeter
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static (double Service, double Postgres) Sample(int servicePid)
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
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var seconds = (double.Parse(fields[11]) + double.Parse(fields[12])) / TicksPerSecond;
                if (pid == servicePid)
                {
                    service += seconds;
                }
                else if (name == "postgres")
                {
                    postgres += seconds;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // the process ended while we looked
            }
        }

        return (service, postgres);
    }
}
