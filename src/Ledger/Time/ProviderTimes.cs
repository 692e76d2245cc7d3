using System.Globalization;
using Ledger.Events;

namespace Ledger.Time;

/// <summary>
/// Parses the time formats providers send (docs/rules.md rule 6) into UTC, keeping the raw string and
/// naming the zone rule applied. China has had no daylight saving time since 1991, so Beijing time is
/// a fixed UTC+8 offset.
/// </summary>
public static class ProviderTimes
{
    public const string BeijingRule = "Asia/Shanghai (UTC+8, no zone in the value)";
    public const string UtcRule = "UTC (no zone in the value)";
    public const string OffsetRule = "offset in the value";
    public const string EpochMillisecondsRule = "epoch milliseconds (UTC by definition)";
    public const string EpochSecondsRule = "epoch seconds (UTC by definition)";

    /// <summary>
    /// Below this an epoch value read as milliseconds would fall before 1973-03-04: that is epoch
    /// seconds sent where milliseconds were documented, and reading it as milliseconds would store a
    /// wrong time without a word. Refusing it keeps the request in quarantine for a parser fix instead.
    /// </summary>
    public const long SmallestPlausibleEpochMilliseconds = 100_000_000_000;

    /// <summary>
    /// Below this an epoch value read as seconds would fall before 1973-03-03, and from
    /// <see cref="SmallestPlausibleEpochMilliseconds"/> on it is milliseconds sent where seconds were
    /// meant (read as seconds it would land thousands of years ahead): both are refused, not guessed.
    /// </summary>
    public const long SmallestPlausibleEpochSeconds = 100_000_000;

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>Every format names its zone (`zzz` reads `+08:00` and `+0800`, `'Z'` is UTC), so none is guessed.</summary>
    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    /// <summary>`yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss` with no zone, read as Beijing time.</summary>
    public static bool TryParseBeijing(string? raw, out ProviderTime? time) =>
        TryParseLocal(raw, Beijing, BeijingRule, out time, "yyyy-MM-dd HH:mm:ss", "yyyyMMddHHmmss", "yyMMddHHmm");

    /// <summary>A value with no zone that the provider documents as UTC.</summary>
    public static bool TryParseUtc(string? raw, out ProviderTime? time, params string[] formats) =>
        TryParseLocal(raw, TimeSpan.Zero, UtcRule, out time, formats);

    /// <summary>
    /// Whole milliseconds since 1970-01-01T00:00:00Z, written in ASCII digits only (no sign, no
    /// fraction, no exponent). Epoch time carries no zone, so no zone rule is guessed.
    /// </summary>
    public static bool TryParseEpochMilliseconds(string? raw, out ProviderTime? time)
    {
        time = null;
        if (string.IsNullOrEmpty(raw)
            || !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var millis)
            || millis < SmallestPlausibleEpochMilliseconds
            || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        time = new ProviderTime(raw, DateTimeOffset.FromUnixTimeMilliseconds(millis), EpochMillisecondsRule);
        return true;
    }

    /// <summary>
    /// Whole seconds since 1970-01-01T00:00:00Z, ASCII digits only: the "秒级 Unix 时间戳" some pushes carry,
    /// and Tencent's query API's `UserReceiveTime`. Values outside the plausible range (zero, what an absent
    /// time looks like, or a value in milliseconds) are refused rather than read as another unit.
    /// </summary>
    public static bool TryParseEpochSeconds(string? raw, out ProviderTime? time)
    {
        time = null;
        if (string.IsNullOrEmpty(raw)
            || !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < SmallestPlausibleEpochSeconds
            || seconds >= SmallestPlausibleEpochMilliseconds)
        {
            return false;
        }

        time = new ProviderTime(raw, DateTimeOffset.FromUnixTimeSeconds(seconds), EpochSecondsRule);
        return true;
    }

    /// <summary>
    /// `yyyy-MM-dd HH:mm:ss` or ISO 8601 that carries its own zone (`+08:00`, `+0800`, `Z`): the value's
    /// offset is applied. A value without one is not read here (see <see cref="TryParseBeijing"/>).
    /// </summary>
    public static bool TryParseWithOffset(string? raw, out ProviderTime? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(raw)
            || !DateTimeOffset.TryParseExact(raw.Trim(), OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return false;
        }

        time = new ProviderTime(raw, instant.ToUniversalTime(), OffsetRule);
        return true;
    }

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
