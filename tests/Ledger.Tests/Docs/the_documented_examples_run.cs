using System.Diagnostics;
using System.Net;
using Ledger.Tests.Support;
using Ledger.Web.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Docs;

/// <summary>
/// Every example README.md and docs/*.md mark runnable, run as written, in order, with bash and curl
/// against a fresh service on a real HTTP port and PostgreSQL: README's against a service with no API key
/// (as the walkthrough starts it), the other documents' against one with the keys docs/api.md starts it
/// with ($SUPPORT_KEY, $FINANCE_KEY, $ADMIN_KEY). Each documented status code and each field shown in the
/// expected block beside an example must be what the service answers.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class the_documented_examples_run(LedgerFixture fixture, DocumentedServices services) : IClassFixture<DocumentedServices>
{
    private static readonly string Root = SourceTree.RepositoryRoot() ?? throw new InvalidOperationException("the tests run inside the clone");

    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>();
        foreach (var document in DocumentPaths().Where(d => Examples(d).Count > 0))
        {
            documents.Add(document);
        }

        return documents;
    }

    [Fact]
    public void the_docs_hold_enough_runnable_examples_each_curl_with_its_expected_answer()
    {
        var all = DocumentPaths().SelectMany(Examples).ToList();
        all.Count.ShouldBeGreaterThanOrEqualTo(15);
        all.Where(e => e.Script.Contains("curl", StringComparison.Ordinal) && e.Script.Contains(" -i", StringComparison.Ordinal) && e.Expected is null)
            .ShouldBeEmpty("a runnable curl -i example shows what it answers in an `expected` block right after it");
        Examples("README.md").ShouldNotBeEmpty("the walkthrough's requests are runnable");
        Examples("docs/api.md").Count.ShouldBeGreaterThanOrEqualTo(8);
    }

    /// <summary>docs/api.md lists what the service's own OpenAPI document lists, so a new endpoint needs its line there.</summary>
    [Fact]
    public async Task the_api_reference_names_every_path_of_the_openapi_document()
    {
        var baseUrl = await services.SiteAsync(fixture.ConnectionString, keyed: true);
        using var http = new HttpClient();
        var document = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri(baseUrl, "/openapi/v1.json")))!;
        var reference = File.ReadAllText(Path.Combine(Root, "docs", "api.md"));
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();

        paths.Count.ShouldBeGreaterThan(20);
        paths.Where(path => !reference.Contains(path, StringComparison.Ordinal)
                && !reference.Contains(path.Replace("/{account}", "[/{account}]", StringComparison.Ordinal), StringComparison.Ordinal))
            .ShouldBeEmpty("in /openapi/v1.json, not in docs/api.md");
    }

    [Fact]
    public void the_expected_blocks_compare_what_they_show_and_nothing_else()
    {
        var shown = ShownResponse.Split("HTTP/1.1 202 Accepted\nLocation: /replays/…\n\n{\"id\":\"…\",\"state\":\"queued\", …}").ShouldHaveSingleItem();
        var same = ShownResponse.Split("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nLocation: /replays/0193\r\n\r\n{\"id\":\"0193\",\"state\":\"queued\",\"dryRun\":true}")[0];
        shown.Differences(same).ShouldBeEmpty();

        var other = ShownResponse.Split("HTTP/1.1 202 Accepted\nLocation: /pulls/1\n\n{\"id\":\"0193\",\"state\":\"running\"}")[0];
        shown.Differences(other).Count().ShouldBe(2, "the header and the state differ");
        shown.Differences(same with { Status = 500 }).ShouldContain(d => d.Contains("status 500"));

        var rows = ShownResponse.Split("HTTP/1.1 200 OK\n\n{\"rows\":[{\"day\":\"2026-11-25\",\"delivered\":1}]}")[0];
        rows.Differences(ShownResponse.Split("HTTP/1.1 200 OK\n\n{\"rows\":[]}")[0]).ShouldNotBeEmpty("a row shown must be there");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task each_example_answers_as_documented(string document)
    {
        var keyed = document != "README.md";
        var baseUrl = await services.SiteAsync(fixture.ConnectionString, keyed);
        var workDirectory = Directory.CreateTempSubdirectory("ledger-docs-");
        try
        {
            var state = Path.Combine(workDirectory.FullName, ".state");
            foreach (var example in Examples(document))
            {
                var (exit, output) = await RunAsync(example, baseUrl, workDirectory.FullName, state);
                exit.ShouldBe(0, $"{example} exited {exit}:\n{example.Script}\n{output}");
                var responses = ShownResponse.Split(output);
                responses.Where(r => r.Status >= 500).ShouldBeEmpty($"{example} got a 5xx:\n{output}");
                if (example.Expected is null)
                {
                    continue;
                }

                var expected = ShownResponse.Split(example.Expected);
                expected.ShouldNotBeEmpty($"{example}: its expected block shows no status line");
                responses.Count.ShouldBe(expected.Count, $"{example}: documented {expected.Count} answer(s), got:\n{output}");
                var differences = expected.Zip(responses).SelectMany(pair => pair.First.Differences(pair.Second)).ToList();
                differences.ShouldBeEmpty($"{example} does not answer as documented:\n{example.Script}\n--- got ---\n{output}");
            }
        }
        finally
        {
            workDirectory.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> DocumentPaths() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')));

    private static IReadOnlyList<DocumentedExample> Examples(string document) =>
        DocumentedExample.Read(document, File.ReadAllText(Path.Combine(Root, document)));

    /// <summary>
    /// One example in bash: variables the earlier examples of the document set are there (`set -a` and a state
    /// file), and each curl answer ends with a line break so the next status line starts a line.
    /// </summary>
    private static async Task<(int Exit, string Output)> RunAsync(DocumentedExample example, Uri baseUrl, string workDirectory, string state)
    {
        var script = $$"""
            set -ae
            [ -f '{{state}}' ] && . '{{state}}'
            curl() { command curl --max-time 20 "$@"; local rc=$?; echo; return $rc; }
            {{example.Script}}
            export -p > '{{state}}'
            """;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["LEDGER"] = baseUrl.ToString().TrimEnd('/');
        foreach (var (name, key) in DocumentedServices.Keys)
        {
            info.Environment[name] = key;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new ShouldAssertException($"{example} did not end within 60 s: {await output}{await errors}");
        }

        return (process.ExitCode, await output + await errors);
    }
}

/// <summary>The two services the documents run against, started on first use on the shared test cluster, each with a schema of its own.</summary>
public sealed class DocumentedServices : IAsyncDisposable
{
    /// <summary>The keys docs/api.md starts the service with, by the variable the examples read them from.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["SUPPORT_KEY"] = "s3cret-support",
        ["FINANCE_KEY"] = "s3cret-finance",
        ["ADMIN_KEY"] = "s3cret-admin",
    };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<bool, (DocumentedService Service, Uri Url)> _started = [];

    public async Task<Uri> SiteAsync(string connectionString, bool keyed)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_started.TryGetValue(keyed, out var site))
            {
                var settings = new Dictionary<string, string?>
                {
                    ["ConnectionStrings:Ledger"] = connectionString,
                    ["Ledger:Schema"] = "docs" + Guid.NewGuid().ToString("N")[..12],
                };
                if (keyed)
                {
                    settings["Ledger:ApiKeys:helpdesk:Key"] = Keys["SUPPORT_KEY"];
                    settings["Ledger:ApiKeys:helpdesk:Role"] = "support";
                    settings["Ledger:ApiKeys:books:Key"] = Keys["FINANCE_KEY"];
                    settings["Ledger:ApiKeys:books:Role"] = "finance";
                    settings["Ledger:ApiKeys:ops:Key"] = Keys["ADMIN_KEY"];
                    settings["Ledger:ApiKeys:ops:Role"] = "admin";
                }

                var service = new DocumentedService(settings);
                site = (service, service.Start());
                _started[keyed] = site;
            }

            return site.Url;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (service, _) in _started.Values)
        {
            await service.DisposeAsync();
        }
    }
}

/// <summary>The real Program on Kestrel at a free loopback port: curl needs a TCP URL.</summary>
public sealed class DocumentedService : WebApplicationFactory<Program>
{
    private readonly IDictionary<string, string?> _settings;

    public DocumentedService(IDictionary<string, string?> settings)
    {
        _settings = settings;
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public Uri Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address);
    }
}
