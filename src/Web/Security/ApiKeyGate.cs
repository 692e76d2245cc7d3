using System.Net;

namespace Ledger.Web.Security;

/// <summary>
/// One gate for every read and admin endpoint: an endpoint declaring <see cref="RequiresRoleAttribute"/>
/// needs an `X-Api-Key` of that role (or admin): 401 without a known key, 403 with the wrong role.
/// With no key configured at all, only loopback callers get in (as admin); a request with no remote
/// address is in-process (TestServer) and counts as loopback. Endpoints without the attribute (ingest,
/// health) are untouched.
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
            if (!IsLoopback(context.Connection.RemoteIpAddress))
            {
                return Refuse(context, StatusCodes.Status403Forbidden, "forbidden",
                    "No API keys are configured (Ledger__ApiKeys__{name}__Key / __Role), so this API answers loopback callers only.");
            }

            context.Features.Set(new Caller("loopback", Roles.Admin));
            return next(context);
        }

        var caller = keys.Find(context.Request.Headers[Header].ToString());
        if (caller is null)
        {
            return Refuse(context, StatusCodes.Status401Unauthorized, "unauthorized",
                $"Send a valid API key in the {Header} header; this endpoint needs the '{required.Role}' role.");
        }

        if (!caller.May(required.Role))
        {
            return Refuse(context, StatusCodes.Status403Forbidden, "forbidden",
                $"The key '{caller.Name}' has the role '{caller.Role}'; this endpoint needs '{required.Role}' (or admin).");
        }

        context.Features.Set(caller);
        return next(context);
    }

    public static bool IsLoopback(IPAddress? address) =>
        address is null || IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static Task Refuse(HttpContext context, int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"urn:callback-ledger:{title}").ExecuteAsync(context);
}

public static class CallerExtensions
{
    /// <summary>The caller the gate let in (endpoints without a role have none).</summary>
    public static Caller? Caller(this HttpContext context) => context.Features.Get<Caller>();
}
