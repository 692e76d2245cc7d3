using System.Diagnostics;
using Ledger.Tests.Support;
using Ledger.Web.Hosting;
using Npgsql;

namespace Ledger.Tests.Hosting;

/// <summary>
/// A command (`check-env`, `replay`, `rebuild`…) run beside a live service on the embedded PostgreSQL
/// attaches to the server the service started; when it ends, the server keeps running for the service.
/// </summary>
public sealed class when_a_command_runs_beside_the_service
{
    [Fact]
    public async Task a_process_that_attached_to_a_running_cluster_leaves_it_running()
    {
        var directory = TestClusters.NewDirectory("attach");
        await using var service = await LocalPostgres.StartAsync(directory, durable: false);
        service.DeleteOnDispose = true;
        service.OwnsServer.ShouldBeTrue();

        await using (var command = await LocalPostgres.StartAsync(directory, durable: false))
        {
            command.OwnsServer.ShouldBeFalse();
            command.Port.ShouldBe(service.Port);
        }

        (await AnswersAsync(service.ConnectionString)).ShouldBeTrue("the command's end left the service's server running");
    }

    [Fact]
    public async Task the_last_one_to_go_stops_it()
    {
        var directory = TestClusters.NewDirectory("handover");
        var first = await LocalPostgres.StartAsync(directory, durable: false);
        await using var second = await LocalPostgres.StartAsync(directory, durable: false);
        second.DeleteOnDispose = true;

        await first.DisposeAsync();
        (await AnswersAsync(second.ConnectionString)).ShouldBeTrue("still in use by the second");
        second.OwnsServer.ShouldBeTrue();

        await second.DisposeAsync();
        (await AnswersAsync(second.ConnectionString)).ShouldBeFalse("stopped with the last user");
    }

    /// <summary>The case: `check-env` against the directory of a running cluster, as its own process.</summary>
    [Fact]
    public async Task check_env_leaves_the_running_database_running()
    {
        var directory = TestClusters.NewDirectory("checkenv");
        await using var service = await LocalPostgres.StartAsync(directory, durable: false);
        service.DeleteOnDispose = true;

        var (exit, output) = await LedgerProcess.RunAsync(["check-env"], new() { ["Ledger__DataDirectory"] = directory });

        output.ShouldContain("another process runs", Case.Insensitive, $"exit {exit}: {output}");
        (await AnswersAsync(service.ConnectionString)).ShouldBeTrue($"check-env (exit {exit}) stopped the server: {output}");
        File.Exists(Path.Combine(directory, "pgdata", "postmaster.pid")).ShouldBeTrue();
    }

    private static async Task<bool> AnswersAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=3");
            await connection.OpenAsync();
            return await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync() is 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}

/// <summary>The service's executable, run as README shows it, from its own output folder.</summary>
public static class LedgerProcess
{
    /// <summary>`src/Web/bin/…/Ledger.Web.dll` (the test folder also holds the test assemblies, which JasperFx's command discovery would load).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Ledger.Tests"), Path.Combine("src", "Web")), "Ledger.Web.dll");

    public static async Task<(int Exit, string Output)> RunAsync(string[] args, Dictionary<string, string> environment, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = workingDirectory ?? "" };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ConnectionStrings__Ledger"] = "";
        info.Environment["Ledger__Logging__Json"] = "false";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new ShouldAssertException($"{string.Join(' ', args)} did not end within 2 minutes: {await output}{await errors}");
        }

        return (process.ExitCode, await output + await errors);
    }
}
