using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Ledger.Web.Ingest;

/// <summary>`Ledger:RateLimit`: how many callbacks one source address may push per second.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sustained requests per second per source address; 0 turns the limit off.</summary>
    public int PerSourcePerSecond { get; set; } = 2000;

    /// <summary>Extra requests a source may burst above the sustained rate.</summary>
    public int Burst { get; set; } = 4000;

    /// <summary>Requests one source may have in flight at once (slow bodies included); 0 turns the bound off.</summary>
    public int ConcurrentPerSource { get; set; } = 256;
}

/// <summary>
/// Per-source rate and concurrency limiting of the ingest routes (a source: an IPv4 address or an IPv6 /64):
/// past either limit a provider gets 429 with Retry-After (it retries), never a silent drop. Refused before the body is read, so such requests are counted,
/// not stored. The read API is not limited here.
/// </summary>
public static class SourceRateLimit
{
    /// <summary>
    /// The bucket a request counts in: its IPv4 address, or the /64 of its IPv6 address (one subscriber gets a
    /// whole /64, so counting each of its 2^64 addresses apart would bound nothing).
    /// </summary>
    public static string Source(HttpContext context) => Source(context.Connection.RemoteIpAddress);

    public static string Source(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }

    public static void AddSourceRateLimit(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            var rate = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (options.PerSourcePerSecond <= 0 || !context.Request.Path.StartsWithSegments("/callbacks"))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                return RateLimitPartition.GetTokenBucketLimiter(Source(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.PerSourcePerSecond + options.Burst,
                    TokensPerPeriod = options.PerSourcePerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            // Requests count, and so do connections holding a request open: a source trickling bodies slowly
            // cannot take more than its share of the server.
            var concurrent = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                options.ConcurrentPerSource <= 0 || !context.Request.Path.StartsWithSegments("/callbacks")
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetConcurrencyLimiter(Source(context), _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = options.ConcurrentPerSource,
                        QueueLimit = 0,
                    }));
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(rate, concurrent);
            limiter.OnRejected = async (rejected, ct) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await Results.Problem(
                    detail: $"More than {options.PerSourcePerSecond} callbacks per second (plus a burst of {options.Burst}), or more than {options.ConcurrentPerSource} at once, " +
                        "came from this address. Retry after a second (Ledger__RateLimit__PerSourcePerSecond, Ledger__RateLimit__ConcurrentPerSource).",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "rate_limited",
                    type: "urn:callback-ledger:rate-limited").ExecuteAsync(rejected.HttpContext);
            };
        });
    }
}
