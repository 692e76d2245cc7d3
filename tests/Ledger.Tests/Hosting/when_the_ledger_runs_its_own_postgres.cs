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

    /// <summary>
    /// The service connects as a role of its own that owns its database and is no superuser; a database an
    /// earlier build made as the superuser is handed over to that role, objects included. The password files
    /// are the owner's alone from the moment they exist, and a data directory holding someone else's files is refused.
    /// </summary>
    [Fact]
    public async Task the_service_is_no_superuser_and_a_database_of_an_earlier_build_is_handed_to_its_role()
    {
        var directory = TestClusters.NewDirectory("role");
        await using var pg = await LocalPostgres.StartAsync(directory, durable: false);
        pg.DeleteOnDispose = true;

        await using (var app = new NpgsqlConnection(pg.ConnectionString))
        {
            await app.OpenAsync();
            (await new NpgsqlCommand("select rolsuper from pg_roles where rolname = current_user", app).ExecuteScalarAsync()).ShouldBe(false);
            (await new NpgsqlCommand("select current_user", app).ExecuteScalarAsync()).ShouldBe(LocalPostgres.AppRole);
        }

        // An earlier build: everything made by the superuser.
        await using (var admin = new NpgsqlConnection(pg.SuperuserConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand(
                "alter database ledger owner to postgres; create schema earlier; create table earlier.kept (v text); insert into earlier.kept values ('old');" +
                "create function earlier.f() returns int language sql as 'select 1'", admin).ExecuteNonQueryAsync();
        }

        (await pg.EnsureDatabaseAsync("ledger")).ShouldBeFalse();

        await using (var app = new NpgsqlConnection(pg.ConnectionString))
        {
            await app.OpenAsync();
            await new NpgsqlCommand("insert into earlier.kept values ('new'); create table earlier.more (v int); select earlier.f()", app).ExecuteNonQueryAsync();
            (await new NpgsqlCommand("select count(*) from earlier.kept", app).ExecuteScalarAsync()).ShouldBe(2L);
        }

        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in new[] { "superuser.password", "ledger.password" })
            {
                File.GetUnixFileMode(Path.Combine(directory, file)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var foreign = TestClusters.NewDirectory("foreign");
        Directory.CreateDirectory(foreign);
        await File.WriteAllTextAsync(Path.Combine(foreign, "notes.txt"), "someone else's");
        try
        {
            (await Should.ThrowAsync<InvalidOperationException>(() => LocalPostgres.StartAsync(foreign, durable: false))).Message.ShouldContain("notes.txt");
        }
        finally
        {
            Directory.Delete(foreign, recursive: true);
        }
    }

    /// <summary>The service started with a data directory on its command line (`--Ledger:DataDirectory=…`, the ASP.NET Core form of the setting).</summary>
    [Fact]
    public async Task started_as_readme_says_it_creates_its_database_serves_a_callback_and_stops_it_on_sigterm()
    {
        var directory = TestClusters.NewDirectory("readme");
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        // The service's own output folder (the test folder also holds the test assemblies, which JasperFx's command discovery would load).
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Ledger.Tests"), Path.Combine("src", "Web")), "Ledger.Web.dll"));
        info.ArgumentList.Add($"--Ledger:DataDirectory={directory}");
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ConnectionStrings__Ledger"] = "";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(); // drained, so a full pipe never blocks the service
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!await ReadyAsync(http))
            {
                if (process.HasExited)
                {
                    throw new ShouldAssertException($"The service exited ({process.ExitCode}): {await errors}");
                }

                DateTime.UtcNow.ShouldBeLessThan(deadline, "not ready within 60 s");
                await Task.Delay(200);
            }

            using var content = new StringContent(Payloads.Array(Payloads.TencentItem(Payloads.NewId(), "SUCCESS")), System.Text.Encoding.UTF8, "application/json");
            (await http.PostAsync("/callbacks/tencent", content)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
            File.Exists(Path.Combine(directory, "pgdata", "postmaster.pid")).ShouldBeTrue("its own cluster, in the directory given");

            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            var exited = process.WaitForExitAsync();
            (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(30)))).ShouldBe(exited, "stopped within 30 s");
            process.ExitCode.ShouldBe(0, await errors);
            File.Exists(Path.Combine(directory, "pgdata", "postmaster.pid")).ShouldBeFalse("the cluster is stopped with the service");

            // What a newcomer reads on the first start: lines, not JSON; each slow step announced; no template left unfilled.
            var log = await output;
            log.ShouldContain("Creating the local database cluster");
            log.ShouldContain("creating its tables");
            log.ShouldNotContain("{\"Timestamp\"");
            log.ShouldNotContain("{{");
            log.ShouldNotContain("{name}");
            log.ShouldNotContain("accept callbacks from anyone"); // nothing is open: the unconfigured defaults answer this machine only
            var warning = log.Split('\n').Single(l => l.Contains("this machine only"));
            warning.ShouldContain("tencent");
            warning.ShouldNotContain("twilio");
            warning.ShouldNotContain("baidu");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
