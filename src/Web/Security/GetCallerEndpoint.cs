using Ledger.Projections;
using Ledger.Web.Reconciliation;
using Wolverine.Http;

namespace Ledger.Web.Security;

/// <summary>Who a key is, and the business time zone its views are read in.</summary>
/// <param name="Name">The key's configured name (`loopback` when no key is configured).</param>
/// <param name="Role">The key's role.</param>
/// <param name="Roles">Every role the key passes: `admin` passes them all.</param>
/// <param name="TimeZone">The business-day zone (`Ledger:Reconciliation:TimeZone`), as an IANA id.</param>
/// <param name="Today">Today's business day in that zone.</param>
public sealed record CallerView(string Name, string Role, IReadOnlyList<string> Roles, string TimeZone, string Today);

/// <summary>
/// `GET /me`: the caller's key and role, so a client (the web UI) offers only the views that key may open,
/// and the business time zone, so it shows days and times as finance counts them rather than in UTC.
/// </summary>
public static class GetCallerEndpoint
{
    [RequiresRole(Security.Roles.AnyKey)]
    [WolverineGet("/me")]
    public static IResult Get(HttpContext context, ReconciliationSettings settings, TimeProvider clock)
    {
        var caller = context.Caller()!;
        var roles = Security.Roles.All.Where(caller.May).Order(StringComparer.Ordinal).ToList();
        var zone = settings.Zone;
        var iana = zone.HasIanaId || !TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var converted) ? zone.Id : converted;
        return Results.Json(new CallerView(caller.Name, caller.Role, roles, iana, BusinessDay.Of(clock.GetUtcNow(), zone)));
    }
}
