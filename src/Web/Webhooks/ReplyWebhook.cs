using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Projections;

namespace Ledger.Web.Webhooks;

/// <summary>
/// `reply.received`: a phone replied (上行 / MO). Sent once per reply, from the commit that recorded its
/// first push; a re-push (a duplicate) sends nothing. Same envelope and Standard Webhooks signature as
/// `message.status_changed`. Unlike a status change it carries the phone: acting on a reply (honouring an
/// unsubscribe, answering a question) needs the number, and the reply names no message that would give it.
/// </summary>
public static class ReplyWebhook
{
    public const string EventType = "reply.received";

    /// <summary>The `status` a reply's <see cref="WebhookDelivery"/> and attempts are stored with.</summary>
    public const string DeliveryStatus = "reply";

    /// <summary>The commit appended the reply's first push (its <paramref name="appended"/> events are the last ones).</summary>
    public static bool IsNew(Reply reply, int appended) => reply.ReceivedCount <= appended;

    /// <summary>One per reply, the same for every retry and re-send; no `.` (the signed content is `{id}.{ts}.{body}`).</summary>
    public static string WebhookId(Reply reply) => $"reply_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reply.Id)))[..24]}";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Body(Reply reply, DateTimeOffset now) => JsonSerializer.Serialize(new Envelope(EventType, now,
        new Data(reply.Provider, reply.Account, reply.ReplyId, reply.Phone, reply.Content, reply.ReceivedAt, reply.ProviderTime?.Utc, reply.InReplyTo,
            reply.Unsubscribe, reply.To)), Json);

    private sealed record Envelope(string Type, DateTimeOffset Timestamp, Data Data);

    private sealed record Data(
        string Provider, string Account, string Id, string? Phone, string Content, DateTimeOffset ReceivedAt, DateTimeOffset? ProviderTime,
        string? InReplyTo, bool Unsubscribe, string? To);
}
