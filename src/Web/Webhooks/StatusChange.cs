using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;

namespace Ledger.Web.Webhooks;

/// <summary>
/// One change of a message's status, as a subscriber hears of it. <see cref="Intermediate"/>: a report
/// that was applied but left the normalized status as it was (sent only to subscribers that ask).
/// </summary>
public sealed record StatusChange(
    string StreamKey,
    string Provider,
    string Account,
    string MessageKey,
    DeliveryStatus Status,
    bool Final,
    string? ProviderStatus,
    string? ErrorCode,
    DateTimeOffset? ReportedAt,
    DeliveryStatus PreviousStatus,
    long Version,
    bool Correction,
    bool Intermediate,
    FailureCategory? Category = null,
    bool? Retryable = null)
{
    /// <summary>
    /// Standard Webhooks `webhook-id`: the same for every retry and re-send of this change (subscribers
    /// dedupe on it), different for every change. No `.` (the signed content is `{id}.{ts}.{body}`).
    /// </summary>
    public string WebhookId => $"msg_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(StreamKey)))[..24]}_{Version}";
}

/// <summary>
/// Finds the status changes a commit made to one message, from the inline <see cref="Message"/>
/// document the commit is about to write: it holds one entry per event with the status right after it,
/// so the entries this commit appended, and the status before them, are all in the one pending document.
/// Nothing is loaded. Several reports to one message in one commit give the same changes, in the same
/// order, as if each had committed alone (so group commits never change what subscribers see).
/// </summary>
public static class StatusChanges
{
    /// <summary>
    /// History entry types that are corrections (a replay's new interpretation). The event that a replay
    /// appends only needs a history entry with its `StatusAfter` to flow out as a webhook marked
    /// `correction: true`: add its pinned type name here.
    /// </summary>
    public static readonly IReadOnlySet<string> CorrectionTypes = new HashSet<string>(StringComparer.Ordinal) { "interpretation_corrected" };

    /// <param name="history">The document as the commit's inline projection left it.</param>
    /// <param name="appended">Events this commit appended to the stream (the last entries of the history).</param>
    public static void Detect(Message history, int appended, List<StatusChange> into)
    {
        var entries = history.Entries;
        var first = Math.Max(0, entries.Count - appended);
        var status = first > 0 ? entries[first - 1].StatusAfter : DeliveryStatus.Pending;
        for (var i = first; i < entries.Count; i++)
        {
            var entry = entries[i];
            var correction = CorrectionTypes.Contains(entry.Type);
            var changed = entry.StatusAfter != status;
            var applied = entry.Effect == ReportEffect.Applied || correction;
            if (changed || applied)
            {
                into.Add(new StatusChange(
                    history.Id, history.Provider, history.Account, history.MessageKey,
                    entry.StatusAfter, entry.Final ?? false, entry.ProviderStatus, entry.ErrorCode, entry.ProviderTime?.Utc,
                    status, entry.Version, correction, Intermediate: !changed, entry.Category, entry.Retryable));
            }

            status = entry.StatusAfter;
        }
    }
}

/// <summary>The JSON body of `message.status_changed` (camelCase; the phone is never sent).</summary>
public static class WebhookPayload
{
    public const string EventType = "message.status_changed";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Body(StatusChange change, DateTimeOffset now) => JsonSerializer.Serialize(new Envelope(EventType, now,
        new Data(change.Provider, change.Account, change.MessageKey, change.Status, change.Final, change.ProviderStatus, change.ErrorCode,
            change.ReportedAt, change.PreviousStatus, change.Version, change.Correction, change.Category, change.Retryable)), Json);

    private sealed record Envelope(string Type, DateTimeOffset Timestamp, Data Data);

    private sealed record Data(
        string Provider, string Account, string MessageKey, DeliveryStatus Status, bool Final, string? ProviderStatus, string? ErrorCode,
        DateTimeOffset? ReportedAt, DeliveryStatus PreviousStatus, long Version, bool Correction, FailureCategory? Category, bool? Retryable);
}

/// <summary>Standard Webhooks v1 signature: `v1,` + Base64(HMAC-SHA256(secret, `{id}.{timestamp}.{body}`)).</summary>
public static class WebhookSignature
{
    public static string Sign(byte[] secret, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
}
