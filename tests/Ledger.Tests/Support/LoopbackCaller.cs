using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Support;

/// <summary>
/// TestServer's requests carry no remote address, and with no API key configured the service refuses a
/// request without one (a Unix socket gives none: it is not shown to be on this machine). The test hosts
/// stand for a client on this machine, so their in-process requests get 127.0.0.1; a test that sets an
/// address itself keeps it, and a host built without this (see when_no_api_key_is_configured) sees none.
/// </summary>
public static class LoopbackCaller
{
    public static IWebHostBuilder WithLoopbackCaller(this IWebHostBuilder web) =>
        web.ConfigureServices(services => services.AddSingleton<IStartupFilter, Filter>());

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return following(context);
            });
            next(app);
        };
    }
}
