using Ledger.Storage;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Providers.Pull;
using Ledger.Replay;
using Ledger.Web.Messages;
using Ledger.Web.Security;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Pulls;

public static class PullMessageEndpoint
{
    /// <summary>
    /// `POST /messages/{provider}/{messageKey}/pull` (support; `?account=` for a message the ledger has not
    /// seen yet): asks the provider about this one message now, with the account that owns it, keeps the
    /// answer as evidence, and answers the message's status after it (`GET /messages/{provider}/{messageKey}`'s
    /// shape). The provider's refusal is a problem: 429 with Retry-After when it throttled us, 502 when it
    /// refused our credentials or gave no usable answer.
    /// </summary>
    [RequiresRole(Roles.Support)]
    [WolverinePost("/messages/{provider}/{messageKey}/pull")]
    public static async Task<IResult> Post(string provider, string messageKey, string? account, HttpContext context, IQuerySession session,
        MessageProjection projection, PullRunner runner, PullProviders providers, AccountLookup accounts, TimeProvider clock)
    {
        provider = provider.ToLowerInvariant();
        var ct = context.RequestAborted;
        messageKey = RouteKeys.MessageKey(context, messageKey);
        var (readable, unreadable) = await MaskedKeys.ReadableAsync(session.DocumentStore, provider, messageKey, ct);
        if (readable is null)
        {
            return unreadable!;
        }

        messageKey = readable;
        var key = StreamKeys.Message(provider, messageKey);
        var message = await MessageReads.LoadAsync(session, projection, key, ct);
        var owner = message?.Account;
        if (owner is not null && account is not null && !string.Equals(owner, account, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(detail: $"{provider} message '{messageKey}' belongs to account '{owner}', not '{account}'.", statusCode: 409, title: "account_mismatch");
        }

        var asAccount = owner ?? account ?? "default";
        if (runner.Problem(provider, asAccount) is { } problem)
        {
            return Results.Problem(detail: problem, statusCode: 400, title: "cannot pull");
        }

        var target = message is null ? new PullTarget(messageKey, null, null, null, null) : PullRunner.Target(message);
        var settings = accounts(provider, asAccount)?.Pull ?? new PullSettings();
        var outcome = await runner.AskAsync(providers.Find(provider)!, asAccount, settings, target, clock.GetUtcNow().AddDays(-1), ct);
        if (outcome.Throttled)
        {
            var retryAfter = outcome.Answer!.RetryAfter ?? TimeSpan.FromSeconds(30);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(detail: outcome.Error, statusCode: 429, title: "provider_throttled");
        }

        if (outcome.Answer is null || outcome.Answer.Error?.Kind is PullErrorKind.Configuration)
        {
            return Results.Problem(detail: outcome.Error, statusCode: 400, title: "cannot pull");
        }

        if (outcome.Answer.Error?.Kind is PullErrorKind.Credentials or PullErrorKind.Unreadable or PullErrorKind.Transport)
        {
            return Results.Problem(detail: outcome.Error, statusCode: 502, title: "provider_error");
        }

        var after = await MessageReads.LoadAsync(session, projection, key, ct);
        return after is null
            ? Problems.NotFound($"{provider} had no report for message '{messageKey}'{(outcome.Error is null ? "" : $": {outcome.Error}")}.")
            : Results.Json(MessageStatusView.From(after, context.Caller()));
    }
}
