using System.Globalization;

namespace Ledger.Web;

/// <summary>
/// Query-string values read by hand, so a bad value answers a problem that names the parameter instead
/// of a binder's generic 400.
/// </summary>
public static class Query
{
    public static string? Text(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;

    /// <summary>An ISO 8601 instant; without an offset it is read as UTC.</summary>
    public static bool TryInstant(HttpContext context, string name, out DateTimeOffset? value, out string? error)
    {
        value = null;
        error = null;
        var text = Text(context, name);
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = $"'{name}' must be an ISO 8601 instant such as 2026-11-25T02:32:05Z; got '{text}'.";
        return false;
    }

    public static bool TryInteger(HttpContext context, string name, long min, long max, out long? value, out string? error)
    {
        value = null;
        error = null;
        var text = Text(context, name);
        if (text is null)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            value = parsed;
            return true;
        }

        error = $"'{name}' must be a whole number from {min} to {max}; got '{text}'.";
        return false;
    }
}

/// <summary>One page of results, newest first.</summary>
public sealed record ResultPage<T>(int Page, int PageSize, long Total, IReadOnlyList<T> Items);
