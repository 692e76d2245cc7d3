namespace Ledger.Events;

/// <summary>
/// A provider time as sent, the UTC instant we derived from it, and the zone rule that was applied
/// (docs/rules.md rule 6: time is data, so the raw string and the rule are kept next to the instant).
/// </summary>
public sealed record ProviderTime(string Raw, DateTimeOffset Utc, string Rule);

/// <summary>
/// One report as a parser version understood it, with what its outcome means for the sender
/// (<see cref="Category"/>, <see cref="Retryable"/>: from the provider's documented codes, added to every
/// report read at ingest; null in reports stored before categories, which the fold classifies on reading). Pure data: the same raw item and account settings
/// always give the same report for a given parser version, which is what makes replay possible.
/// </summary>
public sealed record Report(
    DeliveryStatus Status,
    bool Final,
    string? ProviderStatus,
    string? ErrorCode,
    string? Description,
    ProviderTime? ProviderTime,
    string? Phone,
    string? OutId,
    int? BilledParts,
    string ParserVersion,
    MessagePart? Part = null,
    FailureCategory? Category = null,
    bool? Retryable = null,
    bool? TextReplaced = null)
{
    /// <summary>
    /// What makes two reports "the same report": providers re-push identical reports (they document
    /// that pushes are not idempotent), and such a push must be recorded but change nothing.
    /// The reports of a long message's parts are different reports even when their status and time
    /// agree, so a part after the first adds its place to the fingerprint. A report without a part,
    /// and the first part, keep the text earlier builds stored in the documents' fingerprint lists,
    /// so a re-push arriving after an upgrade is still recognised as the duplicate it is.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] // computed from the members above, so never stored
    public string Fingerprint => Part is { Sequence: > 1 } part
        ? $"{Status}|{Final}|{ProviderStatus}|{ErrorCode}|{ProviderTime?.Raw}|part {part.Sequence}/{part.Total}"
        : $"{Status}|{Final}|{ProviderStatus}|{ErrorCode}|{ProviderTime?.Raw}";
}

/// <summary>
/// Which part of a long (concatenated) SMS a report is about, when the provider reports parts
/// separately (Huawei's `sequence` of `total`). Null for every provider that reports whole messages.
/// </summary>
public sealed record MessagePart(int Sequence, int Total);
