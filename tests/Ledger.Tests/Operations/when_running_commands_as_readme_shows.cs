using System.Diagnostics;
using Ledger.Tests.Support;
using Ledger.Web.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ledger.Tests.Operations;

/// <summary>
/// README's form of every command, `dotnet pwsh ./build.ps1 run -- &lt;command&gt;`: the command name comes
/// first (nothing is put before it), and the command finds the clone's settings and data wherever it runs.
/// One class, so its `dotnet run`s never build the same project at once.
/// </summary>
public sealed class when_running_commands_as_readme_shows
{
    private static readonly string Root = SourceTree.RepositoryRoot() ?? throw new InvalidOperationException("the tests run inside the clone");

    [Fact]
    public async Task callback_urls_and_verify_config_read_the_same_configuration_as_the_service()
    {
        var account = new Dictionary<string, string>
        {
            ["Ledger__Providers__tencent__shop__Token"] = "t0k",
            ["Ledger__PublicBaseUrl"] = "https://sms.example.com",
        };

        var (urlsExit, urls) = await BuildPs1Async(["callback-urls"], account);
        urlsExit.ShouldBe(0, urls);
        urls.ShouldContain("tencent\tshop\thttps://sms.example.com/callbacks/tencent/shop?token=t0k");

        var (checkExit, check) = await BuildPs1Async(["verify-config"], account);
        checkExit.ShouldBe(0, check);
        check.ShouldContain("Configuration OK.");
    }

    [Fact]
    public async Task migrate_replay_rebuild_and_pull_run_against_the_data_directory_with_their_options()
    {
        var directory = TestClusters.NewDirectory("commands");
        var data = new Dictionary<string, string> { ["Ledger__DataDirectory"] = directory };
        try
        {
            var (migrateExit, migrate) = await BuildPs1Async(["migrate"], data);
            migrateExit.ShouldBe(0, migrate);
            migrate.ShouldContain("created", customMessage: migrate);
            migrate.ShouldContain("mt_streams", customMessage: "it names the tables it created: " + migrate);
            migrate.ShouldContain("wolverine_incoming_envelopes", customMessage: migrate);

            var (replayExit, replay) = await BuildPs1Async(["replay", "--provider", "aliyun", "--dry-run"], data);
            replayExit.ShouldBe(0, replay);
            replay.ShouldContain("\"state\": \"completed\"");
            replay.ShouldContain(directory, customMessage: "it names the database it used");

            var (rebuildExit, rebuild) = await BuildPs1Async(["rebuild"], data);
            rebuild.ShouldNotContain("relation", Case.Insensitive, "no raw SQL error: " + rebuild);
            rebuild.ShouldContain(rebuildExit == 0 ? "Projections rebuilt" : "Nothing to rebuild", Case.Insensitive);
            File.Exists(Path.Combine(directory, "pgdata", "postmaster.pid")).ShouldBeFalse("each command stopped the server it started");

            var pulling = new Dictionary<string, string>(data)
            {
                ["Ledger__Providers__aliyun__shop__Token"] = "t0k",
                ["Ledger__Providers__aliyun__shop__Pull__AccessKeyId"] = "key-id",
                ["Ledger__Providers__aliyun__shop__Pull__AccessKeySecret"] = "key-secret",
                ["Ledger__Providers__aliyun__shop__Pull__Endpoint"] = "http://127.0.0.1:9/",
            };
            var (probeExit, probe) = await BuildPs1Async(["pull", "--probe"], pulling);
            probeExit.ShouldBe(1, "nothing answers at the endpoint: " + probe);
            probe.ShouldContain("aliyun", customMessage: probe);
            probe.ShouldContain("shop", customMessage: "one line per account: " + probe);
            probe.ShouldNotContain("key-secret", customMessage: "secrets never printed");

            var (againExit, again) = await BuildPs1Async(["migrate"], data);
            againExit.ShouldBe(0, again);
            again.ShouldContain("The database is up to date.", customMessage: "a second migrate changes nothing: " + again);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void without_a_setting_the_data_is_the_clone_s_ledger_folder_from_any_working_directory()
    {
        var empty = new ConfigurationBuilder().Build();
        SourceTree.DataDirectory(empty, SourceTree.RepositoryRoot(Path.Combine(Root, "src", "Web", "bin", "Release", "net10.0")))
            .ShouldBe(Path.Combine(Root, ".ledger"));
        SourceTree.DataDirectory(empty, repositoryRoot: null).ShouldBe(Path.Combine(Directory.GetCurrentDirectory(), ".ledger"), "installed: the working directory");

        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:DataDirectory"] = "/srv/ledger" }).Build();
        SourceTree.DataDirectory(configured, Root).ShouldBe("/srv/ledger");
    }

    [Fact]
    public void from_a_clone_the_settings_are_src_web_s_appsettings_unless_a_content_root_is_given()
    {
        SourceTree.HostOptions(["replay"], Root).ContentRootPath.ShouldBe(Path.Combine(Root, "src", "Web"));
        File.Exists(Path.Combine(SourceTree.HostOptions([], Root).ContentRootPath!, "appsettings.json")).ShouldBeTrue();
        SourceTree.HostOptions(["--contentRoot=/elsewhere"], Root).ContentRootPath.ShouldBeNull();
        SourceTree.HostOptions([], repositoryRoot: null).ContentRootPath.ShouldBeNull();
    }

    private static async Task<(int Exit, string Output)> BuildPs1Async(string[] command, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Root };
        foreach (var arg in (string[])["pwsh", "./build.ps1", "run", "--", .. command])
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new ShouldAssertException($"build.ps1 run -- {string.Join(' ', command)} did not end within 4 minutes: {await output}{await errors}");
        }

        return (process.ExitCode, await output + await errors);
    }
}
