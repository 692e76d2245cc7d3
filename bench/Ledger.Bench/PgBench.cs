using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Web.Hosting;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The baseline: the minimum durable work of one callback in plain SQL (one transaction inserting the
/// raw record and upserting one status row), and the batch equivalent (100 of each in one transaction),
/// run by pgbench on the same database at the same concurrency.
/// </summary>
public static partial class PgBench
{
    private const string Setup = """
        create schema if not exists pgbench_baseline;
        create table if not exists pgbench_baseline.raw (id bigserial primary key, received_at timestamptz not null default now(), body jsonb not null);
        create table if not exists pgbench_baseline.status (key text primary key, status text not null, callbacks int not null default 1, updated_at timestamptz not null);
        """;

    private const string Single = """
        \set k random(1, 100000000)
        BEGIN;
        INSERT INTO pgbench_baseline.raw (body) VALUES ('{"user_receive_time":"2026-11-25 10:32:04","nationcode":"86","mobile":"13800000000","report_status":"SUCCESS","errmsg":"DELIVRD","sid":"x"}');
        INSERT INTO pgbench_baseline.status (key, status, updated_at) VALUES ('tencent:' || :k, 'delivered', now())
          ON CONFLICT (key) DO UPDATE SET callbacks = pgbench_baseline.status.callbacks + 1, updated_at = now();
        END;
        """;

    private const string Batch = """
        \set k random(1, 1000000)
        BEGIN;
        INSERT INTO pgbench_baseline.raw (body) SELECT jsonb_build_object('biz_id', :k, 'phone_number', g, 'success', true, 'err_code', 'DELIVERED') FROM generate_series(1, 100) g;
        INSERT INTO pgbench_baseline.status (key, status, updated_at) SELECT 'aliyun:' || :k || ':' || g, 'delivered', now() FROM generate_series(1, 100) g
          ON CONFLICT (key) DO UPDATE SET callbacks = pgbench_baseline.status.callbacks + 1, updated_at = now();
        END;
        """;

    /// <returns>transactions per second</returns>
    public static Task<double> SingleAsync(string bin, LocalPostgres postgres, int clients, int seconds) =>
        RunAsync(bin, postgres, Single, clients, seconds);

    /// <returns>rows (reports) per second</returns>
    public static async Task<double> BatchAsync(string bin, LocalPostgres postgres, int clients, int seconds) =>
        await RunAsync(bin, postgres, Batch, clients, seconds) * 100;

    private static async Task<double> RunAsync(string bin, LocalPostgres postgres, string script, int clients, int seconds)
    {
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand(Setup, connection).ExecuteNonQueryAsync();
        }

        var file = Path.Combine(Path.GetTempPath(), $"pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(file, script);
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        var info = new ProcessStartInfo(Path.Combine(bin, "pgbench")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", file, "-h", "127.0.0.1", "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database! })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(file);
        var match = Tps().Match(stdout);
        if (!match.Success)
        {
            throw new InvalidOperationException($"pgbench failed: {stderr}{stdout}");
        }

        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
