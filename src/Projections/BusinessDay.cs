using System.Globalization;

namespace Ledger.Projections;

/// <summary>
/// Finance counts per business day in one time zone (`Ledger:Reconciliation:TimeZone`, default
/// Asia/Shanghai): a message sent 23:59 Beijing time (15:59Z) belongs to that Beijing day. Days are kept
/// as `yyyy-MM-dd` strings, which sort and compare as dates.
/// </summary>
public static class BusinessDay
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    public static string Of(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The first instant of a business day, in UTC.</summary>
    public static DateTimeOffset Start(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static TimeZoneInfo Zone(string? id) =>
        TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(id) ? DefaultTimeZone : id);
}
