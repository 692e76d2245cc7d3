using Alba;
using JasperFx;
using Ledger.Web.Hosting;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL cluster and one host for the whole test run (or the database named by
/// ConnectionStrings__Ledger when set, with a schema of our own). Tests isolate by data: every test
/// uses message keys nobody else uses.
/// </summary>
public sealed class LedgerFixture : IAsyncLifetime
{
    private LocalPostgres? _postgres;

    public IAlbaHost Host { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Ledger");
        if (string.IsNullOrWhiteSpace(configured))
        {
            _postgres = await TestClusters.StartAsync("shared");
            ConnectionString = _postgres.ConnectionString;
        }
        else
        {
            ConnectionString = configured;
        }

        Host = await StartHostAsync(ConnectionString, "t" + Guid.NewGuid().ToString("N")[..12], TestAccounts.Load());
    }

    /// <summary>
    /// A host of the real Program against the given database and schema. Its in-process requests come from
    /// 127.0.0.1 (<see cref="LoopbackCaller"/>) unless <paramref name="loopbackCaller"/> is false.
    /// </summary>
    public static async Task<IAlbaHost> StartHostAsync(string connectionString, string schema, IDictionary<string, string?>? settings = null,
        bool loopbackCaller = true)
    {
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        return await AlbaHost.For<Program>(web =>
        {
            if (loopbackCaller)
            {
                web.WithLoopbackCaller();
            }

            web.UseSetting("ConnectionStrings:Ledger", connectionString);
            web.UseSetting("Ledger:Schema", schema);
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                web.UseSetting(key, value);
            }
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>
/// Provider accounts for the shared host: every `Accounts/*.json` file beside the tests (one per provider,
/// so provider test suites never edit a shared file), flattened into configuration keys.
/// </summary>
public static class TestAccounts
{
    public static IDictionary<string, string?> Load()
    {
        var builder = new Microsoft.Extensions.Configuration.ConfigurationBuilder();
        var folder = Path.Combine(AppContext.BaseDirectory, "Accounts");
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.GetFiles(folder, "*.json").Order())
            {
                Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(builder, file);
            }
        }

        return Microsoft.Extensions.Configuration.ConfigurationExtensions.AsEnumerable(builder.Build())
            .Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerCollection : ICollectionFixture<LedgerFixture>
{
    public const string Name = "ledger";
}

/// <summary>Throwaway clusters under the temp directory, fsync off: test data need not survive a power cut.</summary>
public static class TestClusters
{
    public static string NewDirectory(string name) =>
        Path.Combine(Path.GetTempPath(), $"ledger-tests-{name}-{Guid.NewGuid():N}");

    public static async Task<LocalPostgres> StartAsync(string name)
    {
        var postgres = await LocalPostgres.StartAsync(NewDirectory(name), durable: false);
        postgres.DeleteOnDispose = true;
        return postgres;
    }
}
