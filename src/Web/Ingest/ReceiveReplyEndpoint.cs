using Wolverine.Http;

namespace Ledger.Web.Ingest;

/// <summary>
/// `POST|GET /callbacks/{provider}/replies[/{account}]`: where providers push replies from phones (上行 / MO).
/// Verified with the account's settings exactly as its status pushes are, committed, then answered with
/// the provider's usual success body. `replies` is therefore never an account name.
/// </summary>
public static class ReceiveReplyEndpoint
{
    [WolverinePost("/callbacks/{provider}/replies")]
    public static Task<IResult> Post(string provider, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, null, replies: true);

    /// <summary>Vonage may push inbound messages as GET; Alibaba probes the address with a GET.</summary>
    [WolverineGet("/callbacks/{provider}/replies")]
    public static Task<IResult> Get(string provider, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, null, replies: true);

    [WolverinePost("/callbacks/{provider}/replies/{account}")]
    public static Task<IResult> PostToAccount(string provider, string account, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, account, replies: true);

    [WolverineGet("/callbacks/{provider}/replies/{account}")]
    public static Task<IResult> GetToAccount(string provider, string account, HttpContext context, CallbackReception reception) =>
        reception.ReceiveAsync(context, provider, account, replies: true);
}
