using System.Net;
using Microsoft.Net.Http.Headers;

namespace Ledger.Web.Security;

/// <summary>
/// One gate for every read and admin endpoint: an endpoint declaring <see cref="RequiresRoleAttribute"/>
/// needs an `X-Api-Key` of that role (or admin): 401 without a known key, 403 with the wrong role.
/// With no key configured at all, only a caller on this machine gets in (as admin): see <see cref="KeylessRefusal"/>.
/// Endpoints without the attribute (ingest, health) are untouched.
/// </summary>
public sealed class ApiKeyGate(RequestDelegate next, ApiKeys keys)
{
    public const string Header = "X-Api-Key";

    public Task InvokeAsync(HttpContext context)
    {
        var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiresRoleAttribute>();
        if (required is null)
        {
            return next(context);
        }

        if (keys.None)
        {
            if (KeylessRefusal(context.Request, context.Connection.RemoteIpAddress) is { } refusal)
            {
                return Refuse(context, refusal.Status, refusal.Title, refusal.Detail);
            }

            context.Features.Set(new Caller(LoopbackCaller, Roles.Admin));
            return next(context);
        }

        var caller = keys.Find(context.Request.Headers[Header].ToString());
        if (caller is null)
        {
            return Refuse(context, StatusCodes.Status401Unauthorized, "unauthorized",
                required.Role == Roles.AnyKey
                    ? $"Send a valid API key in the {Header} header; this endpoint answers any configured key."
                    : $"Send a valid API key in the {Header} header; this endpoint needs the '{required.Role}' role.");
        }

        if (!caller.May(required.Role))
        {
            return Refuse(context, StatusCodes.Status403Forbidden, "forbidden",
                $"The key '{caller.Name}' has the role '{caller.Role}'; this endpoint needs '{required.Role}' (or admin).");
        }

        context.Features.Set(caller);
        return next(context);
    }

    /// <summary>The caller's name in keyless mode (e.g. a replay's `startedBy`).</summary>
    public const string LoopbackCaller = "loopback";

    private const string NoKeys = "No API keys are configured (Ledger__ApiKeys__{name}__Key / __Role), so this API answers callers on this machine only";

    /// <summary>A refusal of the keyless gate: status, problem title and what to do.</summary>
    public sealed record Refusal(int Status, string Title, string Detail);

    /// <summary>
    /// Keyless mode trusts the network position of the caller, so it must be a position nobody else can
    /// take. Refused, in this order:
    /// <list type="bullet">
    /// <item>no remote address: a Unix-socket or named-pipe listener gives none, and whoever can reach that
    /// socket (a proxy in front of it, another container) is not shown to be on this machine;</item>
    /// <item>a remote address that is not loopback;</item>
    /// <item>X-Forwarded-For or Forwarded still on the request: a proxy on this machine that is not a
    /// trusted proxy (<see cref="TrustedProxies"/> consumes the header of the ones that are) would make every
    /// caller it forwards look local;</item>
    /// <item>a Host that does not name the loopback (localhost, 127.0.0.1, [::1], any port): a web page
    /// that rebinds its own domain name to 127.0.0.1 reaches the service under that name (DNS rebinding);</item>
    /// <item>a write (any method but GET, HEAD, OPTIONS) without `application/json` or `text/csv`: a
    /// cross-site form or a no-cors fetch can send text/plain, form types or no type at all to a loopback
    /// address without asking, but not those two (a browser asks first, and nothing here answers yes).</item>
    /// </list>
    /// </summary>
    public static Refusal? KeylessRefusal(HttpRequest request, IPAddress? remote)
    {
        if (remote is null)
        {
            return new Refusal(StatusCodes.Status403Forbidden, "forbidden",
                $"{NoKeys}, and this request has no remote address (a Unix socket or named pipe gives none). Configure an API key to serve it.");
        }

        if (!IsLoopback(remote))
        {
            return new Refusal(StatusCodes.Status403Forbidden, "forbidden", $"{NoKeys} (loopback: 127.0.0.1, ::1).");
        }

        foreach (var header in ForwardingHeaders)
        {
            if (request.Headers.ContainsKey(header))
            {
                return new Refusal(StatusCodes.Status403Forbidden, "forbidden",
                    $"{NoKeys}, and this request was forwarded ({header}) by a peer not listed in Ledger__TrustedProxies, so its caller is not known to be local. Configure an API key, or list the proxy.");
            }
        }

        if (!LoopbackHosts.Contains(request.Host.Host))
        {
            return new Refusal(StatusCodes.Status403Forbidden, "forbidden",
                $"{NoKeys}, and the Host header '{request.Host.Value}' does not name the loopback (localhost, 127.0.0.1 or [::1]): call the service by one of those names, or configure an API key.");
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && WriteTypes.Contains(type.MediaType.Value ?? "")))
        {
            return new Refusal(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"With no API keys configured, a {request.Method} must be sent as Content-Type: application/json (or text/csv where the endpoint reads CSV), even without a body; got '{request.ContentType}'. A web page of another site can send the other types to this machine.");
        }

        return null;
    }

    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "Forwarded"];

    private static readonly HashSet<string> LoopbackHosts = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };

    private static readonly HashSet<string> WriteTypes = new(StringComparer.OrdinalIgnoreCase) { "application/json", "text/csv" };

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static Task Refuse(HttpContext context, int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"urn:callback-ledger:{title}").ExecuteAsync(context);
}

public static class CallerExtensions
{
    /// <summary>The caller the gate let in (endpoints without a role have none).</summary>
    public static Caller? Caller(this HttpContext context) => context.Features.Get<Caller>();
}
