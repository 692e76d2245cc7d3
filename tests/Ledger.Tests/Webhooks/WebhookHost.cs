using Alba;
using Ledger.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Runtime;

namespace Ledger.Tests.Webhooks;

/// <summary>Subscriber settings shared by the webhook tests (short retry delays keep them fast).</summary>
public static class WebhookSettings
{
    public const string MainSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string FlakySecret = "flaky-raw-secret";

    /// <summary>
    /// `main` hears everything; `flaky` delivered Tencent messages (the server fails its first requests);
    /// `dead` Tencent `unknown` statuses (always 503: parked); `noisy` Huawei with intermediate reports.
    /// </summary>
    public static Dictionary<string, string?> For(string baseUrl) => new()
    {
        ["Ledger:Webhooks:Subscribers:main:Url"] = $"{baseUrl}/main",
        ["Ledger:Webhooks:Subscribers:main:Secret"] = MainSecret,
        ["Ledger:Webhooks:Subscribers:flaky:Url"] = $"{baseUrl}/flaky",
        ["Ledger:Webhooks:Subscribers:flaky:Secret"] = FlakySecret,
        ["Ledger:Webhooks:Subscribers:flaky:Providers:0"] = "tencent",
        ["Ledger:Webhooks:Subscribers:flaky:Statuses:0"] = "delivered",
        ["Ledger:Webhooks:Subscribers:dead:Url"] = $"{baseUrl}/dead",
        ["Ledger:Webhooks:Subscribers:dead:Secret"] = "dead-secret",
        ["Ledger:Webhooks:Subscribers:dead:Providers:0"] = "tencent",
        ["Ledger:Webhooks:Subscribers:dead:Statuses:0"] = "unknown",
        ["Ledger:Webhooks:Subscribers:noisy:Url"] = $"{baseUrl}/noisy",
        ["Ledger:Webhooks:Subscribers:noisy:Secret"] = "noisy-secret",
        ["Ledger:Webhooks:Subscribers:noisy:Providers:0"] = "huawei",
        ["Ledger:Webhooks:Subscribers:noisy:IncludeIntermediate"] = "true",
        ["Ledger:Webhooks:RetryDelays:0"] = "00:00:00.2",
        ["Ledger:Webhooks:RetryDelays:1"] = "00:00:00.3",
        ["Ledger:Webhooks:RetryDelays:2"] = "00:00:00.5",
        ["Ledger:Webhooks:Jitter"] = "0.1",
        ["Ledger:Webhooks:RetryPollingInterval"] = "00:00:00.2",
        ["Ledger:ApiKeys:admin:Key"] = LedgerApi.AdminKey,
        ["Ledger:ApiKeys:admin:Role"] = "admin",
    };
}

/// <summary>One subscriber server and one ledger host (its own schema) for the webhook tests of a class.</summary>
public sealed class WebhookHostFixture(LedgerFixture ledger) : IAsyncLifetime
{
    public SubscriberServer Subscriber { get; private set; } = null!;

    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Subscriber = await SubscriberServer.StartAsync();
        Subscriber.Answer = (path, before) => path switch
        {
            "dead" => 503,
            "flaky" when before < 3 => 503,
            _ => 200,
        };
        Host = await LedgerFixture.StartHostAsync(ledger.ConnectionString, "wh" + Payloads.NewId()[..10], WebhookSettings.For(Subscriber.BaseUrl));
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Subscriber.DisposeAsync();
    }
}

public static class WebhookDeliveries
{
    /// <summary>
    /// Waits until the host's durable store holds no webhook delivery still to be sent or retried: every
    /// one committed so far was sent (the subscriber answered) or parked. What the tests assert did not
    /// arrive is then known not to be on its way, instead of waiting a fixed time for it.
    /// </summary>
    public static async Task DrainedAsync(this IAlbaHost host, int seconds = 30)
    {
        var storage = host.Services.GetRequiredService<IWolverineRuntime>().Storage;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var counts = await storage.Admin.FetchCountsAsync();
            if (counts.Incoming + counts.Scheduled + counts.Outgoing == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ShouldAssertException(
                    $"Webhook deliveries still pending after {seconds} s: {counts.Incoming} waiting, {counts.Scheduled} scheduled, {counts.Outgoing} outgoing.");
            }

            await Task.Delay(20);
        }
    }
}
