using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Tests.Webhooks;

/// <summary>One request a subscriber received, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int Answered)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement Data => Json.GetProperty("data");

    /// <summary>Standard Webhooks verification, computed here independently of the ledger's code.</summary>
    public bool SignatureVerifies(string secret)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret[6..]) : Encoding.UTF8.GetBytes(secret);
        using var hmac = new HMACSHA256(key);
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{Id}.{Timestamp}.{Body}")));
        return Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }
}

/// <summary>
/// A subscriber: a minimal Kestrel app on 127.0.0.1 (port chosen by the OS) that records every POST.
/// <see cref="Answer"/> decides the status code from the path and how many requests that path had before.
/// </summary>
public sealed class SubscriberServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    private SubscriberServer(WebApplication app) => _app = app;

    public Func<string, int, int> Answer { get; set; } = (_, _) => 200;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public IReadOnlyList<ReceivedWebhook> On(string path) => [.. _received.Where(r => r.Path == path)];

    public static async Task<SubscriberServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SubscriberServer(app);
        app.MapPost("/{**path}", async (HttpContext context, string path) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var before = server._counts.AddOrUpdate(path, 1, (_, n) => n + 1) - 1;
            var status = server.Answer(path, before);
            server._received.Enqueue(new ReceivedWebhook(path, context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(), context.Request.Headers["webhook-signature"].ToString(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was received (fails after <paramref name="seconds"/>).</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitUntilAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> done, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var now = Received;
            if (done(now))
            {
                return now;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The subscriber got {now.Count} requests: " + string.Join("; ", now.Select(r => $"{r.Path} {r.Id} {r.Answered}")));
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
