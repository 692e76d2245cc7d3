namespace Ledger.Ingest;

public static class RequestOutcomes
{
    public const string Accepted = "accepted";
    public const string Probe = "probe";
    public const string Quarantined = "quarantined";
}

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
    public byte[] Body { get; init; } = [];
    public bool BodyTruncated { get; init; }
    public string? RemoteAddress { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public string Outcome { get; init; } = RequestOutcomes.Accepted;
    public string Verification { get; init; } = "";
    public string? Reason { get; init; }
    public int ItemCount { get; init; }

    /// <summary>The streams its items were appended to (the audit view reads their histories by key); empty when none.</summary>
    public IReadOnlyList<string> Streams { get; init; } = [];

    public static RawRequestRecord From(RawCallback request, string provider, string? account) => new()
    {
        Id = request.RequestId,
        Provider = provider,
        Account = account,
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
