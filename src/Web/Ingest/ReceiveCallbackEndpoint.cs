using Wolverine.Http;

namespace Ledger.Web.Ingest;

/// <summary>`POST|GET /callbacks/{provider}[/{account}]`: where providers push their reports.</summary>
public static class ReceiveCallbackEndpoint
{
    [WolverinePost("/callbacks/{provider}")]
    public static Task<IResult> Post(string provider, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, null);

    [WolverineGet("/callbacks/{provider}")]
    public static Task<IResult> Get(string provider, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, null);

    [WolverinePost("/callbacks/{provider}/{account}")]
    public static Task<IResult> PostToAccount(string provider, string account, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, account);

    [WolverineGet("/callbacks/{provider}/{account}")]
    public static Task<IResult> GetToAccount(string provider, string account, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, account);
}
