namespace Ledger.Events;

/// <summary>
/// A provider time as sent, the UTC instant we derived from it, and the zone rule that was applied
/// (PRODUCT.md rule 6: time is data, so the raw string and the rule are kept next to the instant).
/// </summary>
public sealed record ProviderTime(string Raw, DateTimeOffset Utc, string Rule);

/// <summary>
/// One report as a parser version understood it. Pure data: the same raw item and account settings
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
    string ParserVersion)
{
    /// <summary>
    /// What makes two reports "the same report": providers re-push identical reports (they document
    /// that pushes are not idempotent), and such a push must be recorded but change nothing.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] // computed from the members above, so never stored
    public string Fingerprint => $"{Status}|{Final}|{ProviderStatus}|{ErrorCode}|{ProviderTime?.Raw}";
}
