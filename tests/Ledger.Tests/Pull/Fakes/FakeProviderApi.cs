using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Tests.Pull.Fakes;

/// <summary>A request as the fake received it: method, path and raw query, headers, body bytes.</summary>
public sealed record FakeRequest(string Method, string Path, string RawQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The query's parameters, decoded (a `+` is a literal plus: RFC 3986 senders encode space as %20).</summary>
    public List<KeyValuePair<string, string>> QueryParameters() => [.. RawQuery.TrimStart('?')
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .Select(kv => new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : ""))];
}

/// <summary>What the fake answers: status, body, content type and extra headers.</summary>
public sealed record FakeReply(int Status, string Body, string ContentType = "application/json;charset=utf-8", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A provider API on 127.0.0.1 (port chosen by the OS), in process: Kestrel, so the client under test
/// goes through a real socket and a real HttpClient. Each fake checks the request's authentication with
/// code of its own (never the ledger's signer) and answers the provider's documented bodies.
/// Tests steer it through <see cref="Throttle"/> and <see cref="Override"/>; it records every request.
/// </summary>
public abstract class FakeProviderApi : IAsyncDisposable
{
    private readonly ConcurrentQueue<(FakeRequest Request, FakeReply Reply)> _exchanges = new();
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>An HttpClient for the client under test (the fake owns and disposes it).</summary>
    public HttpClient Http { get; } = new();

    /// <summary>When set, every authenticated request gets the provider's throttling answer.</summary>
    public bool Throttle { get; set; }

    /// <summary>When set and returning non-null, answers instead of the fake's own logic (after authentication).</summary>
    public Func<FakeRequest, FakeReply?>? Override { get; set; }

    public IReadOnlyList<(FakeRequest Request, FakeReply Reply)> Exchanges => [.. _exchanges];

    /// <summary>Checks authentication, then answers; null from <see cref="Authenticate"/> means accepted.</summary>
    protected abstract FakeReply? Authenticate(FakeRequest request);

    protected abstract FakeReply Throttled(FakeRequest request);

    protected abstract FakeReply Answer(FakeRequest request);

    protected async Task StartHostAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var request = new FakeRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), buffer.ToArray());
            var reply = Authenticate(request) ?? (Throttle ? Throttled(request) : Override?.Invoke(request) ?? Answer(request));
            _exchanges.Enqueue((request, reply));
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(reply.Body);
        });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
