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
}

/// <summary>
/// Per-source rate limiting of the ingest routes: past the limit a provider gets 429 with Retry-After
/// (it retries), never a silent drop. Refused before the body is read, so such requests are counted,
/// not stored. The read API is not limited here.
/// </summary>
public static class SourceRateLimit
{
    public static void AddSourceRateLimit(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (options.PerSourcePerSecond <= 0 || !context.Request.Path.StartsWithSegments("/callbacks"))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var source = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter(source, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.PerSourcePerSecond + options.Burst,
                    TokensPerPeriod = options.PerSourcePerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (rejected, ct) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await Results.Problem(
                    detail: $"More than {options.PerSourcePerSecond} callbacks per second (plus a burst of {options.Burst}) came from this address. Retry after a second (Ledger__RateLimit__PerSourcePerSecond).",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "rate_limited",
                    type: "urn:callback-ledger:rate-limited").ExecuteAsync(rejected.HttpContext);
            };
        });
    }
}
