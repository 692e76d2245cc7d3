using Ledger.Storage;
using Ledger.Ingest;
using Marten;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Ledger.Web.Webhooks;

/// <summary>Everything webhooks add to the host, in one place (Program.cs calls these two).</summary>
public static class WebhookRegistration
{
    public static WebhookOptions ReadWebhookOptions(this IConfiguration configuration) =>
        configuration.GetSection("Ledger:Webhooks").Get<WebhookOptions>() ?? new WebhookOptions();

    public static IServiceCollection AddLedgerWebhooks(this IServiceCollection services, WebhookOptions options)
    {
        var subscribers = new WebhookSubscribers(options);
        services.AddSingleton(subscribers);
        services.AddSingleton<WebhookSender>();
        // A redirect is not a delivery: following one would POST the signed body to wherever the subscriber
        // (or whoever controls its DNS) points, inside our network too. A 3xx is a failed attempt like any non-2xx.
        services.AddHttpClient(WebhookSender.ClientName, c => c.Timeout = options.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.ConfigureMarten(m => m.Schema.For<WebhookAttempt>().DocumentAlias("webhook_attempt")
            .Index(x => x.Subscriber).Index(x => x.At).Index(x => x.WebhookId));
        if (subscribers.Any)
        {
            // Only now does a commit do any webhook work at all.
            services.AddSingleton<ICommitParticipant, WebhookOutbox>();
            services.AddHostedService<WebhookBacklogSampler>();
        }

        return services;
    }

    public static void ConfigureLedgerWebhooks(this WolverineOptions opts, WebhookOptions options)
    {
        opts.PublishMessage<WebhookDelivery>().ToLocalQueue(WebhookOutbox.Queue);
        opts.LocalQueue(WebhookOutbox.Queue).UseDurableInbox().MaximumParallelMessages(Math.Max(1, options.MaxParallelDeliveries));
        var retry = opts.Policies.OnException<WebhookDeliveryException>().ScheduleRetry([.. options.EffectiveRetryDelays]);
        if (options.Jitter > 0)
        {
            retry = retry.WithBoundedJitter(options.Jitter);
        }

        retry.Then.MoveToErrorQueue();
        if (options.RetryPollingInterval is { } polling)
        {
            opts.Durability.ScheduledJobPollingTime = polling;
        }
    }
}

/// <summary>Samples the durable backlog (waiting and scheduled envelopes) for `ledger_webhooks_backlog`.</summary>
public sealed class WebhookBacklogSampler(Wolverine.Runtime.IWolverineRuntime runtime, LedgerMetrics metrics, ILogger<WebhookBacklogSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
        do
        {
            try
            {
                var counts = await runtime.Storage.Admin.FetchCountsAsync();
                metrics.WebhookBacklog(counts.Incoming + counts.Scheduled);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(e, "Could not sample the webhook backlog");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
