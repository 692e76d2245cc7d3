using Ledger.Providers;
using Microsoft.AspNetCore.HttpOverrides;

namespace Ledger.Web.Security;

/// <summary>
/// `Ledger:TrustedProxies`: the reverse proxies / load balancers in front of the service. Behind one, the
/// socket's address is the proxy's, so an account's `AllowedCidrs`, the per-source rate limit, the raw
/// record's remote address and the loopback-only API would all see the proxy. With the proxies listed,
/// the client address is taken from `X-Forwarded-For`, walking back from the nearest hop while the hop
/// is a listed proxy (ASP.NET Core's forwarded-headers middleware). A header from anyone else is ignored,
/// so a caller cannot claim an address by sending it. Empty (the default): the socket's address, as before.
/// </summary>
public static class TrustedProxies
{
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, IReadOnlyList<string> proxies)
    {
        if (proxies.Count == 0)
        {
            return app;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor,
            ForwardLimit = null, // as many hops as are trusted; stops at the first address that is not
        };
        options.KnownProxies.Clear(); // the defaults trust loopback: only what is configured counts
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownIPNetworks.Add(UnsignedGuard.Network(proxy) ?? throw new InvalidOperationException(
                $"Ledger__TrustedProxies entry '{proxy}' is not an address or CIDR (e.g. 10.0.0.0/8)."));
        }

        return app.UseForwardedHeaders(options);
    }
}
