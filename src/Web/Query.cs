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

    /// <summary>
    /// The highest `page` any listing answers. Paging is an offset, (page - 1) × pageSize, which the
    /// database takes as a 32-bit integer: unbounded, a large page overflowed it into a negative OFFSET and
    /// a 500. A million pages of the largest page size (1000) stays far below that, and beyond any listing
    /// a person pages through; narrow the filters instead.
    /// </summary>
    public const int MaxPage = 1_000_000;

    /// <summary>
    /// `page` (from 1, at most <see cref="MaxPage"/>; default 1) and `pageSize` (1 to <paramref name="maxPageSize"/>;
    /// default <paramref name="defaultPageSize"/>). Anything else is a 400 naming the parameter and its range, never a clamp:
    /// a caller asking for page 2147483647 learns the bound instead of getting some other page.
    /// </summary>
    public static bool TryPage(HttpContext context, int defaultPageSize, int maxPageSize, out int page, out int pageSize, out string? error)
    {
        page = 1;
        pageSize = defaultPageSize;
        if (!TryInteger(context, "page", 1, MaxPage, out var p, out error) || !TryInteger(context, "pageSize", 1, maxPageSize, out var s, out error))
        {
            return false;
        }

        page = (int)(p ?? 1);
        pageSize = (int)(s ?? defaultPageSize);
        return true;
    }
}

/// <summary>One page of results, newest first.</summary>
public sealed record ResultPage<T>(int Page, int PageSize, long Total, IReadOnlyList<T> Items);
