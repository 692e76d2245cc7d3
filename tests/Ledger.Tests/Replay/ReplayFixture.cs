using Ledger.Storage;
using Alba;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Replay;
using Ledger.Tests.Support;
using Ledger.Web.Hosting;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Replay;

/// <summary>
/// A host of the real Program with the buggy test provider registered, on a PostgreSQL of its own (or
/// a schema of its own in ConnectionStrings__Ledger), so replays over "everything since the test
/// started" see only the replay tests' data.
/// </summary>
public sealed class ReplayFixture : IAsyncLifetime
{
    private LocalPostgres? _postgres;

    public BuggyTestAdapter Adapter { get; } = new();

    public IAlbaHost Host { get; private set; } = null!;

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public ReplayRunner Runner => Host.Services.GetRequiredService<ReplayRunner>();

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Ledger");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            _postgres = await TestClusters.StartAsync("replay");
            connectionString = _postgres.ConnectionString;
        }

        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(web =>
        {
            web.WithLoopbackCaller();
            web.UseSetting("ConnectionStrings:Ledger", connectionString);
            web.UseSetting("Ledger:Schema", "r" + Guid.NewGuid().ToString("N")[..12]);
            web.ConfigureServices(services => services.AddSingleton<IProviderAdapter>(Adapter));
        });
    }

    /// <summary>Posts one buggytest batch and returns the status code and body.</summary>
    public Task<(int Status, string Body, string? ContentType)> PostAsync(params string[] items) =>
        Host.PostAsync($"/callbacks/{BuggyTestAdapter.ProviderName}", Payloads.Array(items));

    /// <summary>Runs a replay of the buggytest provider to its end, in this process.</summary>
    public async Task<ReplayJob> ReplayAsync(DateTimeOffset from, bool dryRun = false, bool includeQuarantine = false, int chunkSize = 100)
    {
        var job = await Runner.QueueAsync(new ReplayOptions
        {
            Provider = BuggyTestAdapter.ProviderName,
            From = from,
            DryRun = dryRun,
            IncludeQuarantine = includeQuarantine,
        }, "tests", chunkSize);
        return await Runner.RunAsync(job.Id);
    }

    public async Task<IReadOnlyList<object>> EventsAsync(string messageKey)
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(Ledger.Events.StreamKeys.Message(BuggyTestAdapter.ProviderName, messageKey));
        return events.Select(e => e.Data).ToList();
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

[CollectionDefinition(Name)]
public sealed class ReplayCollection : ICollectionFixture<ReplayFixture>
{
    public const string Name = "replay";
}
