using Marten;
using Wolverine;

namespace Ledger.Web.Pulls;

/// <summary>Everything pulling adds to the host, so Program.cs names it in one line per concern.</summary>
public static class PullRegistration
{
    public const string Queue = "pulls";

    public static IServiceCollection AddLedgerPulls(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Ledger:Pull").Get<PullOptions>() ?? new PullOptions();
        services.AddSingleton(options);
        services.AddSingleton(services => PullProviders.Create(
            new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, services.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PullRunner>();
        services.AddSingleton<PullSweep>();
        services.AddHostedService(services => services.GetRequiredService<PullSweep>());
        services.ConfigureMarten(marten => marten.Schema.For<PullJob>().DocumentAlias("pull_job"));
        return services;
    }

    /// <summary>
    /// Pull jobs run from a durable local queue, one message at a time, as replays do: the inbox hands a
    /// job's message back after a restart, and a throttled job's next run is a scheduled message in it.
    /// </summary>
    public static void ConfigureLedgerPulls(this WolverineOptions opts)
    {
        opts.PublishMessage<RunPull>().ToLocalQueue(Queue);
        opts.LocalQueue(Queue).UseDurableInbox().Sequential();
    }
}
