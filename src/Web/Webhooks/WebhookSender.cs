using System.Diagnostics;
using System.Text;
using Ledger.Ingest;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Ledger.Web.Webhooks;

/// <summary>Every delivery attempt, as recorded (`GET /webhooks/{subscriber}/attempts`).</summary>
public sealed record WebhookAttempt
{
    public Guid Id { get; init; }
    public string Subscriber { get; init; } = "";
    public string WebhookId { get; init; } = "";
    public string StreamKey { get; init; } = "";
    public long Version { get; init; }
    public string Status { get; init; } = "";
    public int Attempt { get; init; }
    public DateTimeOffset At { get; init; }

    /// <summary>`delivered` (2xx), `failed` (will be retried), `parked` (retries exhausted: in the dead-letter store).</summary>
    public string Outcome { get; init; } = "";

    public int? StatusCode { get; init; }
    public double LatencyMs { get; init; }
    public string? Error { get; init; }
}

/// <summary>
/// A delivery that did not get a 2xx: Wolverine's error policy retries it later, then parks it. It is the
/// policy's signal, not a bug, so it has no stack trace to print: Wolverine's one Error line when it parks
/// the delivery ("moved to the error queue") shows this message, which says what failed and what to do.
/// </summary>
public sealed class WebhookDeliveryException(string message) : Exception(message)
{
    public override string? StackTrace => null;
}

/// <summary>Handles the `webhooks` queue: one POST per message, recorded, retried by the error policy.</summary>
public static class WebhookDeliveryHandler
{
    /// <summary>
    /// A subscriber that answers 500 or is down is the ordinary case retries exist for, so Wolverine's own
    /// line for each failed attempt (Error, with the stack trace of <see cref="WebhookDeliveryException"/>)
    /// is lowered to Debug: <see cref="WebhookSender"/> logs each retried attempt as one Warning line and the
    /// parking once as an Error.
    /// </summary>
    [WolverineLogging(FailureLogLevel = LogLevel.Debug)]
    public static Task Handle(WebhookDelivery delivery, Envelope envelope, WebhookSender sender, CancellationToken cancellation) =>
        sender.SendAsync(delivery, envelope.Attempts, cancellation);
}

public sealed class WebhookSender(
    IHttpClientFactory clients,
    WebhookSubscribers subscribers,
    IDocumentStore store,
    LedgerMetrics metrics,
    TimeProvider clock,
    ILogger<WebhookSender> logger)
{
    public const string ClientName = "webhooks";

    public async Task SendAsync(WebhookDelivery delivery, int attempt, CancellationToken cancellation)
    {
        var subscriber = subscribers.Find(delivery.Subscriber);
        if (subscriber is null)
        {
            // Removed from the configuration since: nobody to send to, and retrying would not help.
            logger.LogWarning("Webhook {WebhookId} is for subscriber {Subscriber}, which is no longer configured; dropped", delivery.WebhookId, delivery.Subscriber);
            return;
        }

        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscriber.Url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(delivery.Body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.WebhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Sign(subscriber.Secret, delivery.WebhookId, timestamp, delivery.Body));
        request.Headers.TryAddWithoutValidation("User-Agent", "callback-ledger-webhooks/1");

        var started = Stopwatch.GetTimestamp();
        int? code = null;
        string? error = null;
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
            code = (int)response.StatusCode;
            if (code is < 200 or > 299)
            {
                error = $"HTTP {code} {response.ReasonPhrase}";
            }
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            error = e is TaskCanceledException ? $"no answer within {subscribers.Options.Timeout.TotalSeconds:0.#} s" : e.Message;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var delivered = error is null;
        var outcome = delivered ? "delivered" : attempt > subscribers.Options.EffectiveRetryDelays.Count ? "parked" : "failed";
        metrics.WebhookAttempted(subscriber.Name, outcome, elapsed);
        await RecordAsync(new WebhookAttempt
        {
            Id = Guid.CreateVersion7(now),
            Subscriber = subscriber.Name,
            WebhookId = delivery.WebhookId,
            StreamKey = delivery.StreamKey,
            Version = delivery.Version,
            Status = delivery.Status,
            Attempt = attempt,
            At = now,
            Outcome = outcome,
            StatusCode = code,
            LatencyMs = Math.Round(elapsed.TotalMilliseconds, 2),
            Error = error,
        }, cancellation);

        if (!delivered)
        {
            if (outcome == "parked")
            {
                // Logged once, at Error, by Wolverine as it parks the delivery, with this message.
                throw new WebhookDeliveryException(
                    $"Webhook {delivery.WebhookId} to {subscriber.Name} failed on its last attempt ({attempt}): {error}. Parked; resend with POST /webhooks/{subscriber.Name}/parked/resend");
            }

            // An ordinary retry: one Warning line, no exception (a subscriber's bad minute is not a bug of ours).
            logger.LogWarning("Webhook {WebhookId} to {Subscriber} failed on attempt {Attempt}: {Error}; it will be retried",
                delivery.WebhookId, subscriber.Name, attempt, error);
            throw new WebhookDeliveryException($"Webhook {delivery.WebhookId} to {subscriber.Name} failed (attempt {attempt}): {error}");
        }
    }

    /// <summary>Its own small transaction: an attempt is on record whatever the delivery's outcome.</summary>
    private async Task RecordAsync(WebhookAttempt attempt, CancellationToken cancellation)
    {
        try
        {
            await using var session = store.LightweightSession();
            session.Insert(attempt);
            await session.SaveChangesAsync(cancellation);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not record webhook attempt {Attempt} of {WebhookId}", attempt.Attempt, attempt.WebhookId);
        }
    }
}
