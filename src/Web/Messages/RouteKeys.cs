using Microsoft.AspNetCore.Http.Features;

namespace Ledger.Web.Messages;

/// <summary>
/// A message key is the provider's text, and some hold a `/` (a gateway's id, a path-like reference). Sent
/// as `%2F`, Kestrel keeps it encoded in the route value (a decoded `/` would split the route), so the key
/// is read from the raw request target instead: the segment at the key's place, percent-decoded once.
/// </summary>
public static class RouteKeys
{
    /// <param name="routeValue">The `{messageKey}` route value.</param>
    /// <param name="segment">The key's segment in `/messages/{provider}/{messageKey}…` (2).</param>
    public static string MessageKey(HttpContext context, string routeValue, int segment = 2)
    {
        if (!routeValue.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            || context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { Length: > 0 } target)
        {
            return routeValue;
        }

        var path = target.Split('?', 2)[0];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length > segment ? Uri.UnescapeDataString(segments[segment]) : routeValue;
    }
}
