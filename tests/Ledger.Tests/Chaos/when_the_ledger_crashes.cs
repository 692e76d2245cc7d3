using System.Diagnostics;
using Ledger.Tests.Support;
using Ledger.Web.Hosting;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tests.Chaos;

/// <summary>
/// Crash tests (README "Guarantees"): a durable cluster of its own (fsync on), the service as its own
/// process, 16 concurrent senders of unique reports, and a crash in the middle. Afterwards every
/// acknowledged report must be in the ledger exactly as sent, nothing half-written, and every projection
/// equal to its rebuild. `./build.ps1 chaos` runs only these.
/// </summary>
public sealed class when_the_ledger_crashes(ITestOutputHelper output)
{
    private const int Senders = 16;
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task postgres_killed_with_sigkill_loses_no_acknowledged_callback()
    {
        await using var postgres = await LocalPostgres.StartAsync(TestClusters.NewDirectory("chaos-pgkill"), durable: true);
        postgres.DeleteOnDispose = true;
        await using var service = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log);
        await using var load = new CallbackLoad(service.BaseUrl, Senders);
        await load.WaitForAcknowledgementsAsync(300, Phase);

        KillServer(postgres.ClusterDirectory);
        await load.WaitForStatusAsync(503, Phase);
        Log($"PostgreSQL killed; so far {load.Describe()}");
        await postgres.RestartAsync(durable: true);
        await load.WaitForAcknowledgementsAsync(300, Phase);
        await load.StopAsync();

        await AuditAsync(postgres, load, "PostgreSQL SIGKILL");
    }

    [Fact]
    public async Task the_service_killed_with_sigkill_loses_no_acknowledged_callback()
    {
        await using var postgres = await LocalPostgres.StartAsync(TestClusters.NewDirectory("chaos-svckill"), durable: true);
        postgres.DeleteOnDispose = true;
        await using var first = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log);
        await using var load = new CallbackLoad(first.BaseUrl, Senders);
        await load.WaitForAcknowledgementsAsync(300, Phase);

        await first.KillAsync();
        Log($"service killed; so far {load.Describe()}");
        await using var second = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log);
        load.BaseUrl = second.BaseUrl;
        await load.WaitForAcknowledgementsAsync(300, Phase);
        await load.StopAsync();

        await AuditAsync(postgres, load, "service SIGKILL");
    }

    /// <summary>
    /// A signed provider with nonces (Vonage's md5hash signing) under the service's SIGKILL: every acknowledged
    /// receipt is in the ledger, and no receipt whose attempts went unanswered is lost because its identical
    /// retry (same nonce) was refused as `reused_nonce`. Fails while the nonce is spent on its own connection
    /// before the commit: a kill between the two leaves a spent nonce and nothing stored.
    /// </summary>
    [Fact]
    public async Task the_service_killed_with_sigkill_loses_no_signed_callback_to_a_spent_nonce()
    {
        await using var postgres = await LocalPostgres.StartAsync(TestClusters.NewDirectory("chaos-nonce-svckill"), durable: true);
        postgres.DeleteOnDispose = true;
        await using var first = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log, environment: SignedCallbackLoad.Environment);
        await using var load = new SignedCallbackLoad(first.BaseUrl, Senders);
        await load.WaitForAcknowledgementsAsync(300, Phase);

        await first.KillAsync();
        Log($"service killed; so far {load.Describe()}");
        await using var second = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log, environment: SignedCallbackLoad.Environment);
        load.BaseUrl = second.BaseUrl;
        await load.WaitForAcknowledgementsAsync(300, Phase);
        await load.StopAsync();

        await SignedAuditAsync(postgres, load, "service SIGKILL, signed");
    }

    /// <summary>The same with PostgreSQL killed: a nonce claimed just before the kill must not outlive the commit that failed.</summary>
    [Fact]
    public async Task postgres_killed_with_sigkill_loses_no_signed_callback_to_a_spent_nonce()
    {
        await using var postgres = await LocalPostgres.StartAsync(TestClusters.NewDirectory("chaos-nonce-pgkill"), durable: true);
        postgres.DeleteOnDispose = true;
        await using var service = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log, environment: SignedCallbackLoad.Environment);
        await using var load = new SignedCallbackLoad(service.BaseUrl, Senders);
        await load.WaitForAcknowledgementsAsync(300, Phase);

        KillServer(postgres.ClusterDirectory);
        Log($"PostgreSQL killed; so far {load.Describe()}");
        await postgres.RestartAsync(durable: true);
        await load.WaitForAcknowledgementsAsync(300, Phase);
        await load.StopAsync();

        await SignedAuditAsync(postgres, load, "PostgreSQL SIGKILL, signed");
    }

    private async Task SignedAuditAsync(LocalPostgres postgres, SignedCallbackLoad load, string scenario)
    {
        Log($"{scenario}: answers {load.Describe()}");
        await using var host = await LedgerFixture.StartHostAsync(postgres.ConnectionString, "ledger");
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var stored = (await session.Events.QueryAllRawEvents().Where(e => e.StreamKey!.StartsWith("vonage:")).ToListAsync())
            .GroupBy(e => e.StreamKey!)
            .ToDictionary(g => g.Key, g => g.Count());
        var sent = load.Sent.ToList();
        var acknowledged = sent.Where(s => s.Acknowledged).ToList();
        var lostAcknowledged = acknowledged.Where(s => !stored.ContainsKey($"vonage:{s.MessageId}")).ToList();
        var refused = sent.Where(s => s.RetryRefusedAsReused).ToList();
        var refusedAndLost = refused.Where(s => !stored.ContainsKey($"vonage:{s.MessageId}")).ToList();
        var retried = sent.Count(s => s.Attempts.Count > 1);
        Log($"{scenario}: {sent.Count} receipts, {acknowledged.Count} acknowledged, {lostAcknowledged.Count} of them not found; {retried} retried, " +
            $"{refused.Count} retries refused as reused_nonce ({refusedAndLost.Count} of them never stored, {refused.Count - refusedAndLost.Count} stored but their answer lost)");
        foreach (var s in refused.Concat(lostAcknowledged).Take(20))
        {
            Log($"FAILURE {s}; stored: {stored.ContainsKey($"vonage:{s.MessageId}")}");
        }

        sent.SelectMany(s => s.Attempts).ShouldNotContain("500", "storage trouble must answer 503, never 500");
        acknowledged.Count.ShouldBeGreaterThan(0);
        lostAcknowledged.ShouldBeEmpty("every acknowledged signed receipt is in the ledger");
        refusedAndLost.ShouldBeEmpty("a retry of a receipt that was never stored was refused as reused_nonce: its nonce outlived the failed commit, and the receipt is lost");
        sent.Where(s => !s.Acknowledged && s.Attempts[^1] != "401 reused_nonce").ShouldBeEmpty("every receipt is answered in the end");
    }

    /// <summary>
    /// A full disk is hard to make safely on a shared machine; a read-only database is the stand-in: the
    /// same "cannot write" condition, surfaced by PostgreSQL as an error the ledger must turn into 503.
    /// </summary>
    [Fact]
    public async Task a_read_only_database_gets_503_not_500_and_the_ledger_recovers()
    {
        await using var postgres = await LocalPostgres.StartAsync(TestClusters.NewDirectory("chaos-readonly"), durable: true);
        postgres.DeleteOnDispose = true;
        await using var service = await ServiceUnderTest.StartAsync(postgres.ConnectionString, Log);
        await using var load = new CallbackLoad(service.BaseUrl, Senders);
        await load.WaitForAcknowledgementsAsync(300, Phase);

        await SetReadOnlyAsync(postgres, true);
        await load.WaitForStatusAsync(503, Phase);
        var refusedAt = load.Count(503);
        // Stay read-only until a few hundred more requests were refused, then allow writes again.
        using (var deadline = new CancellationTokenSource(Phase))
        {
            while (load.Count(503) < refusedAt + 200 && !deadline.IsCancellationRequested)
            {
                await Task.Delay(50);
            }
        }

        Log($"read-only phase: {load.Describe()}");
        await SetReadOnlyAsync(postgres, false);
        await load.WaitForAcknowledgementsAsync(300, Phase);
        await load.StopAsync();

        load.Count(503).ShouldBeGreaterThanOrEqualTo(refusedAt + 200);
        await AuditAsync(postgres, load, "read-only database");
    }

    private async Task AuditAsync(LocalPostgres postgres, CallbackLoad load, string scenario)
    {
        Log($"{scenario}: answers {load.Describe()}");
        await using var host = await LedgerFixture.StartHostAsync(postgres.ConnectionString, "ledger");
        var result = await LedgerAudit.RunAsync(host.Services.GetRequiredService<IDocumentStore>(), load.Sent);
        Log($"{scenario}: {result}");
        foreach (var failure in result.Failures.Take(20))
        {
            Log("FAILURE " + failure);
        }

        load.Count(500).ShouldBe(0, "storage trouble must answer 503, never 500");
        result.Failures.ShouldBeEmpty();
        result.AcknowledgedFound.ShouldBe(result.Acknowledged);
        result.Acknowledged.ShouldBeGreaterThan(0);
    }

    /// <summary>
    /// SIGKILL to the postmaster (from postmaster.pid), then to the backends it leaves behind: the whole
    /// server gone at once, as in an OOM kill of the container, with nothing flushed on the way out.
    /// </summary>
    private void KillServer(string clusterDirectory)
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(clusterDirectory, "postmaster.pid")).First());
        var children = Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Where(p => p > 0 && ParentOf(p) == pid)
            .ToList();
        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill();
        }

        foreach (var child in children)
        {
            try
            {
                using var process = Process.GetProcessById(child);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        var watch = Stopwatch.StartNew();
        while (children.Append(pid).Any(p => Directory.Exists($"/proc/{p}")) && watch.Elapsed < Phase)
        {
            Thread.Sleep(20);
        }

        Log($"killed postmaster {pid} and {children.Count} backends with SIGKILL");
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/{pid}/stat: "pid (comm) state ppid …"; comm may contain spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    private static async Task SetReadOnlyAsync(LocalPostgres postgres, bool readOnly)
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionStringFor("postgres")) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[]
                 {
                     "set default_transaction_read_only = off", // this session must still be able to change it back
                     readOnly ? "alter system set default_transaction_read_only = on" : "alter system reset default_transaction_read_only",
                     "select pg_reload_conf()",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // a late line from the service process after the test ended
        }
    }
}
