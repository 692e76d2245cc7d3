using Ledger.Storage;
using Ledger.Ingest;
using Ledger.Projections;
using Npgsql;
using Wolverine;
using Wolverine.RDBMS;
using Wolverine.Runtime;

namespace Ledger.Web.Webhooks;

/// <summary>
/// What one subscriber is to receive for one change: the body is built once, at commit, so every retry
/// sends the very same bytes under the same `webhook-id` (only `webhook-timestamp` and the signature
/// are per attempt, as Standard Webhooks wants).
/// </summary>
[Wolverine.Attributes.MessageIdentity("webhook_delivery")]
public sealed record WebhookDelivery(string Subscriber, string WebhookId, string StreamKey, long Version, string Status, string Body);

/// <summary>
/// Joins each group commit to Wolverine's durable outbox (registered only when a subscriber is
/// configured). The writer has written the commit's events and <see cref="Message"/> documents in its
/// transaction; this reads those documents, finds the status changes and sends one
/// <see cref="WebhookDelivery"/> per interested subscriber through a message context enlisted in that same
/// transaction (<see cref="DatabaseEnvelopeTransaction"/>): the envelopes are rows of the commit, so a
/// commit that fails sends nothing and a commit that succeeds cannot lose them. After the commit Wolverine
/// hands them to the durable local queue `webhooks`. A replay chunk's transaction is joined the same way
/// (its corrections and rescues go through the same writer).
/// </summary>
public sealed class WebhookOutbox(IWolverineRuntime runtime, WebhookSubscribers subscribers, TimeProvider clock) : ICommitParticipant
{
    public const string Queue = "webhooks";

    public async Task<Func<Task>?> EnlistAsync(NpgsqlTransaction transaction, IReadOnlyList<AppendedStream> appended)
    {
        var changes = new List<StatusChange>();
        List<Reply>? replies = null;
        foreach (var stream in appended)
        {
            foreach (var document in stream.Documents)
            {
                if (document is Message message)
                {
                    StatusChanges.Detect(message, stream.Count, changes);
                }
                else if (document is Reply reply && ReplyWebhook.IsNew(reply, stream.Count))
                {
                    (replies ??= []).Add(reply);
                }
            }
        }

        if (changes.Count == 0 && replies is null)
        {
            return null;
        }

        // Wolverine's outbox on our own transaction: the envelopes are rows of this commit.
        var context = new MessageContext(runtime);
        await context.EnlistInOutboxAsync(new DatabaseEnvelopeTransaction((IMessageDatabase)runtime.Storage, transaction));
        await SendAsync(context, changes);
        if (replies is not null)
        {
            await SendRepliesAsync(context, replies);
        }

        return context.FlushOutgoingMessagesAsync;
    }

    private async Task SendRepliesAsync(IMessageBus outbox, List<Reply> replies)
    {
        var now = clock.GetUtcNow();
        foreach (var reply in replies)
        {
            string? body = null;
            foreach (var subscriber in subscribers.All)
            {
                if (subscriber.WantsReply(reply.Provider, reply.Account))
                {
                    body ??= ReplyWebhook.Body(reply, now);
                    await outbox.SendAsync(new WebhookDelivery(subscriber.Name, ReplyWebhook.WebhookId(reply), reply.Id, reply.ReceivedCount,
                        ReplyWebhook.DeliveryStatus, body));
                }
            }
        }
    }

    private async Task SendAsync(IMessageBus outbox, List<StatusChange> changes)
    {
        var now = clock.GetUtcNow();
        foreach (var change in changes)
        {
            string? body = null;
            foreach (var subscriber in subscribers.All)
            {
                if (subscriber.Wants(change))
                {
                    body ??= WebhookPayload.Body(change, now);
                    await outbox.SendAsync(new WebhookDelivery(subscriber.Name, change.WebhookId, change.StreamKey, change.Version,
                        change.Status.ToString().ToLowerInvariant(), body));
                }
            }
        }
    }
}
