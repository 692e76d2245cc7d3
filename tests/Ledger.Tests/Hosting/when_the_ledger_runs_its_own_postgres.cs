using System.Diagnostics;
using Ledger.Tests.Support;
using Ledger.Web.Hosting;
using Npgsql;

namespace Ledger.Tests.Hosting;

public sealed class when_the_ledger_runs_its_own_postgres
{
    [Fact]
    public async Task it_creates_a_cluster_from_nothing_and_keeps_its_data_across_restarts()
    {
        var directory = TestClusters.NewDirectory("embedded");
        Directory.Exists(directory).ShouldBeFalse();

        await using (var first = await LocalPostgres.StartAsync(directory, durable: false))
        {
            await using var connection = new NpgsqlConnection(first.ConnectionString);
            await connection.OpenAsync();
            await new NpgsqlCommand("create table kept (v text); insert into kept values ('still here')", connection).ExecuteNonQueryAsync();
        }

        await using var second = await LocalPostgres.StartAsync(directory, durable: false);
        second.DeleteOnDispose = true; // a run would leave the cluster (46 MB) under the temp directory
        await using var again = new NpgsqlConnection(second.ConnectionString);
        await again.OpenAsync();
        (await new NpgsqlCommand("select v from kept", again).ExecuteScalarAsync()).ShouldBe("still here");
    }

    [Fact]
    public void missing_binaries_are_reported_with_what_to_do()
    {
        var e = Should.Throw<PostgresBinariesMissingException>(() => LocalPostgres.FindBinaries("/nonexistent/postgres/bin"));
        e.Message.ShouldContain("apt-get install -y postgresql");
        e.Message.ShouldContain("ConnectionStrings__Ledger");
    }

    [Fact]
    public async Task the_service_exits_non_zero_with_that_message_when_no_binaries_are_found()
    {
        var app = Path.Combine(AppContext.BaseDirectory, "Ledger.Web.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(app);
        info.Environment["ConnectionStrings__Ledger"] = "";
        info.Environment["Ledger__PostgresBinaries"] = "/nonexistent/postgres/bin";
        info.Environment["Ledger__DataDirectory"] = TestClusters.NewDirectory("nobinaries");
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldNotBe(0);
        stderr.ShouldContain("apt-get install -y postgresql");
    }
}
