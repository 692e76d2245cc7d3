using System.Globalization;
using Ledger.Events;
using Ledger.Projections;

namespace Ledger.Web.Reconciliation;

/// <summary>The query string shared by the reconciliation endpoints, validated.</summary>
public sealed record ReconciliationFilter(DateOnly From, DateOnly To, string? Provider, string? Account)
{
    /// <summary>Longest day range one request may ask for (a year and a day, so a whole year fits).</summary>
    public const int MaxDays = 367;

    public string FromDay => BusinessDay.Format(From);

    public string ToDay => BusinessDay.Format(To);

    public static (ReconciliationFilter? Filter, IResult? Problem) Parse(HttpRequest request)
    {
        var q = request.Query;
        if (!TryDay(q["from"], out var from) || !TryDay(q["to"], out var to))
        {
            return (null, BadRequest("`from` and `to` are required business days as yyyy-MM-dd, e.g. ?from=2026-11-01&to=2026-11-30."));
        }

        if (to < from)
        {
            return (null, BadRequest("`to` is before `from`."));
        }

        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            return (null, BadRequest($"At most {MaxDays} days per request; split the range."));
        }

        var provider = string.IsNullOrWhiteSpace(q["provider"]) ? null : q["provider"].ToString().Trim().ToLowerInvariant();
        var account = string.IsNullOrWhiteSpace(q["account"]) ? null : q["account"].ToString().Trim();
        return (new ReconciliationFilter(from, to, provider, account), null);
    }

    public static bool WantsCsv(HttpRequest request) =>
        string.Equals(request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase);

    public static IResult BadRequest(string detail) => Results.Problem(
        detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "invalid_query", type: "urn:callback-ledger:invalid-query");

    private static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>The wire name of a status bucket.</summary>
    public static string StatusName(DeliveryStatus status) => status.ToString().ToLowerInvariant();
}
