using System.Text.Json;
using Ledger.Web.Security;
using Marten;
using Marten.Pagination;
using Wolverine.Http;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace Ledger.Web.Webhooks;

/// <summary>A delivery whose retries are exhausted, as it sits in Wolverine's dead-letter store.</summary>
public sealed record ParkedWebhookView(Guid EnvelopeId, string WebhookId, string StreamKey, long Version, string Status,
    DateTimeOffset? FailedAt, string ExceptionType, string ExceptionMessage, string Body);

public static class WebhooksEndpoint
{
    /// <summary>Delivery attempts to one subscriber, newest first (`page`, `pageSize`, optional `outcome`).</summary>
    [WolverineGet("/webhooks/{subscriber}/attempts")]
    [RequiresRole(Roles.Admin)]
    public static async Task<IResult> Attempts(string subscriber, HttpContext context, WebhookSubscribers subscribers, IQuerySession session, CancellationToken ct)
    {
        if (subscribers.Find(subscriber) is not { } found)
        {
            return Unknown(subscriber);
        }

        if (!Query.TryPage(context, 50, 500, out var number, out var size, out var error))
        {
            return Problems.BadQuery(error!);
        }

        var query = session.Query<WebhookAttempt>().Where(a => a.Subscriber == found.Name);
        if (Query.Text(context, "outcome") is { } outcome)
        {
            query = query.Where(a => a.Outcome == outcome);
        }

        var attempts = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).ToPagedListAsync(number, size, ct);
        return Results.Json(new ResultPage<WebhookAttempt>(number, size, attempts.TotalItemCount, [.. attempts]));
    }

    /// <summary>Deliveries to one subscriber that exhausted their retries (Wolverine's dead-letter store).</summary>
    [WolverineGet("/webhooks/{subscriber}/parked")]
    [RequiresRole(Roles.Admin)]
    public static async Task<IResult> Parked(string subscriber, WebhookSubscribers subscribers, IWolverineRuntime runtime, CancellationToken ct)
    {
        if (subscribers.Find(subscriber) is not { } found)
        {
            return Unknown(subscriber);
        }

        var parked = await ParkedAsync(found.Name, runtime, ct);
        return Results.Json(new { subscriber = found.Name, total = parked.Count, items = parked });
    }

    /// <summary>
    /// Sends parked deliveries again, e.g. after the subscriber's long outage: all of the subscriber's, or
    /// those named by `{"envelopeIds":[…]}`. Wolverine marks them replayable and its durability agent puts
    /// them back on the `webhooks` queue: the same `webhook-id` and body, a fresh round of retries, each
    /// attempt recorded as before. 202 with how many were queued; ids of another subscriber's (or unknown)
    /// deliveries are listed as `notFound`, never resent.
    /// </summary>
    [WolverinePost("/webhooks/{subscriber}/parked/resend")]
    [RequiresRole(Roles.Admin)]
    public static async Task<IResult> Resend(string subscriber, HttpContext context, WebhookSubscribers subscribers, IWolverineRuntime runtime,
        CancellationToken ct)
    {
        if (subscribers.Find(subscriber) is not { } found)
        {
            return Unknown(subscriber);
        }

        Guid[]? named = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                named = (await JsonSerializer.DeserializeAsync<ResendRequest>(context.Request.Body, JsonSerializerOptions.Web, ct))?.EnvelopeIds;
            }
            catch (JsonException e)
            {
                return Problems.BadQuery($"The body must be {{\"envelopeIds\":[\"…\"]}} or empty (every parked delivery): {e.Message}");
            }
        }

        var parked = (await ParkedAsync(found.Name, runtime, ct)).Select(p => p.EnvelopeId).ToHashSet();
        var chosen = named is null ? [.. parked] : named.Where(parked.Contains).Distinct().ToArray();
        var notFound = named is null ? [] : named.Where(id => !parked.Contains(id)).Distinct().ToArray();
        if (chosen.Length > 0)
        {
            await runtime.Storage.DeadLetters.ReplayAsync(new DeadLetterEnvelopeQuery { MessageIds = chosen }, ct);
        }

        return Results.Json(new { subscriber = found.Name, resent = chosen.Length, envelopeIds = chosen, notFound }, statusCode: StatusCodes.Status202Accepted);
    }

    public sealed record ResendRequest(Guid[]? EnvelopeIds);

    private static async Task<List<ParkedWebhookView>> ParkedAsync(string subscriber, IWolverineRuntime runtime, CancellationToken ct)
    {
        var parked = new List<ParkedWebhookView>();
        var query = new DeadLetterEnvelopeQuery { MessageType = "webhook_delivery", PageSize = 500 };
        var results = await runtime.Storage.DeadLetters.QueryAsync(query, ct);
        foreach (var dead in results.Envelopes)
        {
            var delivery = dead.Envelope.Message as WebhookDelivery
                ?? (dead.Envelope.Data is { Length: > 0 } data ? JsonSerializer.Deserialize<WebhookDelivery>(data, JsonSerializerOptions.Web) : null);
            if (delivery is not null && string.Equals(delivery.Subscriber, subscriber, StringComparison.OrdinalIgnoreCase) && !dead.Replayable)
            {
                parked.Add(new ParkedWebhookView(dead.Id, delivery.WebhookId, delivery.StreamKey, delivery.Version, delivery.Status,
                    dead.SentAt, dead.ExceptionType, dead.ExceptionMessage, delivery.Body));
            }
        }

        return parked;
    }

    private static IResult Unknown(string subscriber) =>
        Problems.NotFound($"No webhook subscriber '{subscriber}' is configured (Ledger__Webhooks__Subscribers__{{name}}__Url).");
}
