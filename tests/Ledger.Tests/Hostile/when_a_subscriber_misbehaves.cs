using System.Collections.Concurrent;
using Alba;
using Ledger.Tests.Support;
using Ledger.Tests.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Tests.Hostile;

/// <summary>
/// A webhook subscriber that redirects is not followed (the signed body goes nowhere else), and one that
/// answers 500 is an ordinary retry: one Warning per attempt without a stack trace, and one Error when the
/// delivery is parked.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_subscriber_misbehaves(LedgerFixture fixture)
{
    private sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }

    /// <summary>A subscriber of two paths: `/hook` answers <paramref name="hook"/> (with Location `/landing` for a 3xx), `/landing` records.</summary>
    private static async Task<(WebApplication App, string BaseUrl, ConcurrentQueue<string> Hits)> SubscriberAsync(int hook)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hits = new ConcurrentQueue<string>();
        app.MapPost("/hook", (HttpContext context) =>
        {
            hits.Enqueue("hook");
            if (hook is >= 300 and < 400)
            {
                context.Response.Headers.Location = "/landing";
            }

            return Results.StatusCode(hook);
        });
        app.MapPost("/landing", () =>
        {
            hits.Enqueue("landing");
            return Results.Ok();
        });
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(), hits);
    }

    private async Task<IAlbaHost> LedgerAsync(string subscriberUrl, CapturedLogs logs)
    {
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        return await AlbaHost.For<Program>(web =>
        {
            web.WithLoopbackCaller();
            web.UseSetting("ConnectionStrings:Ledger", fixture.ConnectionString);
            web.UseSetting("Ledger:Schema", "sm" + Payloads.NewId()[..10]);
            web.UseSetting("Ledger:Webhooks:Subscribers:crm:Url", subscriberUrl);
            web.UseSetting("Ledger:Webhooks:Subscribers:crm:Secret", WebhookSettings.MainSecret);
            web.UseSetting("Ledger:Webhooks:RetryDelays:0", "00:00:00.2");
            web.UseSetting("Ledger:Webhooks:RetryDelays:1", "00:00:00.3");
            web.UseSetting("Ledger:Webhooks:Jitter", "0");
            web.UseSetting("Ledger:Webhooks:RetryPollingInterval", "00:00:00.2");
            web.UseSetting("Logging:LogLevel:Default", "Information");
            web.UseSetting("Logging:LogLevel:Wolverine", "Information");
            web.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(logs));
        });
    }

    private static async Task<System.Text.Json.JsonElement[]> AttemptsAsync(IAlbaHost host, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, json) = await host.GetJsonAsync("/webhooks/crm/attempts?pageSize=500", apiKey: null);
            status.ShouldBe(200);
            var items = json.GetProperty("items").EnumerateArray().OrderBy(a => a.GetProperty("attempt").GetInt32()).ToArray();
            if (items.Length >= count)
            {
                return items;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"only {items.Length} attempts recorded");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task a_redirect_is_a_failed_attempt_and_the_signed_body_goes_nowhere_else()
    {
        var (app, baseUrl, hits) = await SubscriberAsync(307);
        await using var _ = app;
        var logs = new CapturedLogs();
        await using var host = await LedgerAsync($"{baseUrl}/hook", logs);

        (await host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(Payloads.NewId(), "SUCCESS")))).Status.ShouldBe(200);

        var attempts = await AttemptsAsync(host, 3);
        attempts.Select(a => (a.GetProperty("outcome").GetString(), a.GetProperty("statusCode").GetInt32()))
            .ShouldBe([("failed", 307), ("failed", 307), ("parked", 307)]);
        await host.DrainedAsync();
        hits.ShouldAllBe(h => h == "hook", "the redirect's target was never called");
    }

    [Fact]
    public async Task a_500_is_a_warning_per_retried_attempt_without_a_stack_trace_and_the_parking_one_error()
    {
        var (app, baseUrl, _) = await SubscriberAsync(500);
        await using var _ = app;
        var logs = new CapturedLogs();
        await using var host = await LedgerAsync($"{baseUrl}/hook", logs);

        (await host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(Payloads.NewId(), "SUCCESS")))).Status.ShouldBe(200);
        var attempts = await AttemptsAsync(host, 3);
        attempts.Select(a => a.GetProperty("outcome").GetString()).ShouldBe(["failed", "failed", "parked"]);
        await host.DrainedAsync();
        var webhookId = attempts[0].GetProperty("webhookId").GetString()!;

        // Wolverine logs the parking after it moved the envelope, a moment after the attempt is on record.
        for (var wait = 0; wait < 100 && !logs.Entries.Any(e => e.Level >= LogLevel.Error && e.Exception is Ledger.Web.Webhooks.WebhookDeliveryException); wait++)
        {
            await Task.Delay(50);
        }

        var entries = logs.Entries.ToList();
        var about = entries.Where(e => e.Message.Contains(webhookId, StringComparison.Ordinal) || e.Exception is Ledger.Web.Webhooks.WebhookDeliveryException).ToList();
        var report = string.Join("\n", about.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception?.GetType().Name}"));
        about.Where(e => e.Level == LogLevel.Warning).Count().ShouldBe(2, report);
        var parked = about.Where(e => e.Level >= LogLevel.Error).ShouldHaveSingleItem(report);
        $"{parked.Message} {parked.Exception}".ShouldContain("Parked; resend with POST /webhooks/crm/parked/resend");
        // As a console logger prints it: message and exception text, and no stack trace anywhere.
        about.Where(e => e.Level >= LogLevel.Warning).ShouldAllBe(e => !$"{e.Message}\n{e.Exception}".Contains("   at "), report);
    }
}
