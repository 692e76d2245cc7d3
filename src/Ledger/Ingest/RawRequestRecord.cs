using System.Text;
using Ledger.Events;
using System.Text.Json.Serialization;

namespace Ledger.Ingest;

/// <summary>One item of a request refused on its own: its position, the stable reason code and a sentence.</summary>
public sealed record ItemRefusal(int Index, string Reason, string Detail, string? MessageKey = null);

public static class RequestOutcomes
{
    public const string Accepted = "accepted";
    public const string Probe = "probe";
    public const string Quarantined = "quarantined";

    /// <summary>An answer of a provider's query API (docs/rules.md rule 9): the request we sent, minus its credentials, and the answer's bytes.</summary>
    public const string Pulled = "pulled";
}

/// <summary>
/// What a pulled record holds beyond a callback's: the body we sent (Tencent's JSON; null for a GET),
/// the answer's HTTP status and content type (null when no answer came), and why it was no answer.
/// </summary>
public sealed record PullExchange(string? SentBody, int? AnswerStatus, string? AnswerContentType, string? Error);

/// <summary>
/// The whole HTTP request, stored once and never changed, referenced by id from every item it carried
/// (and from its quarantine record when it was refused). <see cref="Verification"/> says how it was
/// verified or why it failed.
/// </summary>
public sealed record RawRequestRecord
{
    public Guid Id { get; init; }
    public string Provider { get; init; } = "";
    public string? Account { get; init; }
    public string Method { get; init; } = "";
    public string Url { get; init; } = "";
    public string Path { get; init; } = "";
    public string QueryString { get; init; } = "";
    public IReadOnlyList<HeaderEntry> Headers { get; init; } = [];
    /// <summary>The body's bytes exactly as received (a compressed request's wire bytes).</summary>
    [JsonIgnore]
    public byte[] Body { get; init; } = [];

    /// <summary>
    /// How the body is stored: as its text (`BodyText`) when it is UTF-8 that PostgreSQL's jsonb can hold (no
    /// NUL), which is nearly every callback, so it reads as itself in psql and takes a quarter less room than
    /// base64; otherwise, and in records of earlier builds, as base64 (`Body`). Either gives back the same bytes.
    /// </summary>
    [JsonInclude]
    [JsonPropertyName("BodyText")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? StoredText { get => IsText(Body) ? Encoding.UTF8.GetString(Body) : null; init => Body = value is null ? [] : Encoding.UTF8.GetBytes(value); }

    [JsonInclude]
    [JsonPropertyName("Body")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private byte[]? StoredBytes { get => IsText(Body) ? null : Body; init => Body = value ?? []; }

    private static bool IsText(byte[] body) => body.Length > 0 && StorableText.Holds(body);

    public bool BodyTruncated { get; init; }

    /// <summary>When <see cref="Body"/> holds only the start of what came: the full body's length in bytes (null when not known: a body too large was not read to its end).</summary>
    public long? BodyLength { get; init; }

    /// <summary>With <see cref="BodyLength"/>: the SHA-256 of the full body as received (lowercase hex), so a copy kept elsewhere can be matched.</summary>
    public string? BodySha256 { get; init; }
    public string? RemoteAddress { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public string Outcome { get; init; } = RequestOutcomes.Accepted;
    public string Verification { get; init; } = "";
    public string? Reason { get; init; }
    public int ItemCount { get; init; }

    /// <summary>Set on pulled records only: the <see cref="Body"/> is then the provider's answer, the URL and headers the request we sent.</summary>
    public PullExchange? Pull { get; init; }

    /// <summary>
    /// Items of an accepted batch that were refused one by one (unreadable, too long, another account's message):
    /// each quarantined in `quarantine:{requestId}:{index}` while the rest was appended. Empty when none.
    /// </summary>
    public IReadOnlyList<ItemRefusal> RefusedItems { get; init; } = [];

    /// <summary>The streams its items were appended to (the audit view reads their histories by key); empty when none.</summary>
    public IReadOnlyList<string> Streams { get; init; } = [];

    /// <summary>
    /// A query answer as evidence: the request we sent (its credentials already replaced by the client),
    /// the answer's bytes exactly as received. Its id is a UUIDv7 of the receive time, like a callback's,
    /// so it sorts among them.
    /// </summary>
    public static RawRequestRecord FromPull(Ledger.Providers.Pull.PullAnswer answer)
    {
        var url = Uri.TryCreate(answer.Request.Url, UriKind.Absolute, out var parsed) ? parsed : null;
        return new RawRequestRecord
        {
            Id = Guid.CreateVersion7(answer.ReceivedAt),
            Provider = answer.Provider,
            Account = answer.Account,
            Method = answer.Request.Method,
            Url = answer.Request.Url,
            Path = url?.AbsolutePath ?? "",
            QueryString = url?.Query ?? "",
            Headers = [.. answer.Request.Headers.Select(h => new HeaderEntry(h.Key, h.Value))],
            Body = answer.Body,
            ReceivedAt = answer.ReceivedAt,
            Outcome = RequestOutcomes.Pulled,
            Verification = "api",
            Reason = answer.Error?.Detail,
            Pull = new PullExchange(answer.Request.Body, answer.HttpStatus, answer.ContentType, answer.Error?.Kind.ToString()),
        };
    }

    public static RawRequestRecord From(RawCallback request, string provider, string? account) => new()
    {
        Id = request.RequestId,
        // The route's text as decoded: `%00` would be a U+0000 PostgreSQL cannot hold (the URL keeps it encoded).
        Provider = Ledger.Events.StorableText.Clean(provider)!,
        Account = Ledger.Events.StorableText.Clean(account),
        Method = request.Method,
        Url = request.Url,
        Path = request.Path,
        QueryString = request.QueryString,
        Headers = request.Headers,
        Body = request.Body,
        RemoteAddress = request.RemoteAddress,
        ReceivedAt = request.ReceivedAt,
    };
}
