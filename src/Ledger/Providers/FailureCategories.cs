using System.Collections.Frozen;
using Ledger.Events;
using Ledger.Providers.Aliyun;
using Ledger.Providers.Baidu;
using Ledger.Providers.Huawei;
using Ledger.Providers.Ronglian;
using Ledger.Providers.Tencent;
using Ledger.Providers.Twilio;
using Ledger.Providers.Vonage;

namespace Ledger.Providers;

/// <summary>
/// A report's failure category and retryability, from the provider's documented codes.
/// Pure: the same provider, status and codes always give the same classification for a given
/// <see cref="Version"/>. The code tables are data, one file per provider beside its adapter
/// (`Providers/Huawei/HuaweiCodes.cs` …), plus <see cref="CarrierCodes"/> for the carrier stat codes that
/// the Chinese providers pass through unchanged. docs/categories.md explains the categories.
/// </summary>
public static class FailureCategories
{
    /// <summary>
    /// Changes whenever a table entry or a rule below changes, so a replay can tell that the category of an
    /// old report moved because the categorization moved, not because the report did.
    /// </summary>
    public const string Version = "categories/2";

    /// <summary>The tables each route consults, in order: the provider's own codes first, then the carriers'.</summary>
    public static readonly FrozenDictionary<string, CodeTable[]> Routes = new Dictionary<string, CodeTable[]>
    {
        ["aliyun"] = [AliyunCodes.Table, CarrierCodes.Table],
        ["tencent"] = [TencentCodes.Table, CarrierCodes.Table],
        ["ronglian"] = [RonglianCodes.Table, CarrierCodes.Table],
        ["huawei"] = [HuaweiCodes.Table, CarrierCodes.Table],
        ["baidu"] = [BaiduCodes.Table, CarrierCodes.Table],
        ["twilio"] = [TwilioCodes.Table],
        ["vonage"] = [VonageCodes.Table],
        ["generic"] = [CarrierCodes.Table],
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a category is worth a resend when its table entry says nothing else. Unreachable and
    /// rate-limited failures are temporary by definition. Expired is the same cause as unreachable (the handset
    /// stayed off or out of coverage for the whole validity period), only observed later, so it is retryable too.
    /// Unknown is not: a resend on no evidence can repeat a permanent failure, and a resend candidate must never be a
    /// permanent failure. A table entry may override this (Vonage's "Network Error. Retry.").
    /// </summary>
    public static bool RetryableByDefault(FailureCategory category) =>
        category is FailureCategory.Unreachable or FailureCategory.RateLimited or FailureCategory.Expired;

    public static readonly Classification Delivered = new(FailureCategory.Delivered, false);

    public static readonly Classification Unknown = new(FailureCategory.Unknown, false);

    /// <summary>
    /// The classification of one report, given by its route name and the fields the adapter put in it.
    /// <list type="bullet">
    /// <item>Delivered is always delivered and never retryable.</item>
    /// <item>Pending (not final yet) is unknown and not retryable: nothing has failed, and a message whose final
    /// report never comes is found by pulling, not by resending.</item>
    /// <item>Failed and unknown statuses look the error code up, then the provider status, in the route's
    /// tables in order. A table entry that says unknown lets the next value speak (Vonage err-code 1 "Unknown"
    /// beside status `expired`); the first other entry wins. Huawei reports MILIMIT and KEYWORD with an
    /// unknown status, which is why unknown statuses are looked up too.</item>
    /// <item>A table entry that says delivered never turns a failure into a success: it is unknown.</item>
    /// <item>A route without tables, and a code in no table, is unknown and not retryable.</item>
    /// </list>
    /// </summary>
    public static Classification Classify(string provider, DeliveryStatus status, string? providerStatus, string? errorCode)
    {
        switch (status)
        {
            case DeliveryStatus.Delivered:
                return Delivered;
            case DeliveryStatus.Pending:
                return Unknown;
        }

        if (!Routes.TryGetValue(provider, out var tables))
        {
            return Unknown;
        }

        FailureCode? firstUnknown = null;
        foreach (var value in new[] { errorCode, providerStatus })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            foreach (var table in tables)
            {
                if (table.Find(value) is not { } code)
                {
                    continue;
                }

                if (code.Category == FailureCategory.Unknown)
                {
                    firstUnknown ??= code;
                    continue;
                }

                if (code.Category == FailureCategory.Delivered)
                {
                    continue;
                }

                return code.Classification;
            }
        }

        return firstUnknown?.Classification ?? Unknown;
    }

    /// <summary>The report with its category and retryable flag, as every report is stored (and compared by replays).</summary>
    public static Report Classified(string provider, Report report)
    {
        var classification = Classify(provider, report);
        return report with { Category = classification.Category, Retryable = classification.Retryable };
    }

    /// <summary>The same, for a report an adapter produced.</summary>
    public static Classification Classify(string provider, Report report) =>
        Classify(provider, report.Status, report.ProviderStatus, report.ErrorCode);
}

/// <summary>
/// One documented code: what the provider says it means (kept in the provider's words, so a reader can check
/// it against the linked page) and the category it maps to. <see cref="Retryable"/> is set only where the
/// documentation says something other than the category's default.
/// </summary>
public sealed record FailureCode(string Code, FailureCategory Category, string Meaning, bool? Retryable = null)
{
    public Classification Classification => new(Category, Retryable ?? FailureCategories.RetryableByDefault(Category));
}

/// <summary>
/// A provider's codes, looked up without regard to case or surrounding spaces. The entries stay a list so a
/// test can find a duplicate code; the lookup keeps the first of duplicates rather than fail at start-up.
/// </summary>
public sealed class CodeTable
{
    private readonly FrozenDictionary<string, FailureCode> _byCode;

    public CodeTable(string name, IReadOnlyList<FailureCode> entries)
    {
        Name = name;
        Entries = entries;
        _byCode = entries
            .GroupBy(e => e.Code.Trim(), StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
    }

    public string Name { get; }

    public IReadOnlyList<FailureCode> Entries { get; }

    public FailureCode? Find(string code) => _byCode.GetValueOrDefault(code.Trim());
}
