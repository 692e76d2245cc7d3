using System.Globalization;
using Ledger.Events;

namespace Ledger.Time;

/// <summary>
/// Parses the time formats providers send (PRODUCT.md rule 6) into UTC, keeping the raw string and
/// naming the zone rule applied. China has had no daylight saving time since 1991, so Beijing time is
/// a fixed UTC+8 offset.
/// </summary>
public static class ProviderTimes
{
    public const string BeijingRule = "Asia/Shanghai (UTC+8, no zone in the value)";
    public const string UtcRule = "UTC (no zone in the value)";
    public const string OffsetRule = "offset in the value";

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>`yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss` with no zone, read as Beijing time.</summary>
    public static bool TryParseBeijing(string? raw, out ProviderTime? time) =>
        TryParseLocal(raw, Beijing, BeijingRule, out time, "yyyy-MM-dd HH:mm:ss", "yyyyMMddHHmmss", "yyMMddHHmm");

    /// <summary>A value with no zone that the provider documents as UTC.</summary>
    public static bool TryParseUtc(string? raw, out ProviderTime? time, params string[] formats) =>
        TryParseLocal(raw, TimeSpan.Zero, UtcRule, out time, formats);

    private static bool TryParseLocal(string? raw, TimeSpan offset, string rule, out ProviderTime? time, params string[] formats)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return false;
        }

        if (!DateTime.TryParseExact(raw.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        time = new ProviderTime(raw, new DateTimeOffset(local, offset).ToUniversalTime(), rule);
        return true;
    }
}
