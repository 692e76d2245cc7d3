using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Messages;
using Ledger.Web.Security;
using Marten;
using Marten.Pagination;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Ledger.Web.Replies;

/// <summary>`GET /replies` and `GET /replies/{provider}/{id}`: replies from phones (上行 / MO), for support.</summary>
public static class GetRepliesEndpoint
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>
    /// `?phone=` (every way the number may have been stored, <see cref="PhoneSearch"/>), `from`/`to` (our
    /// receive time), `provider`, newest first. `?provider=&amp;inReplyTo={messageKey}`: the replies that
    /// name that message, found through the message's phone (indexed) rather than a scan.
    /// </summary>
    [WolverineGet("/replies")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> List(HttpContext context, IQuerySession session, IOptionsMonitor<LedgerOptions> options, MessageProjection messages,
        CancellationToken ct)
    {
        if (!Query.TryInstant(context, "from", out var from, out var error)
            || !Query.TryInstant(context, "to", out var to, out error)
            || !Query.TryInteger(context, "page", 1, int.MaxValue, out var page, out error)
            || !Query.TryInteger(context, "pageSize", 1, MaxPageSize, out var pageSize, out error))
        {
            return Problems.BadQuery(error!);
        }

        var provider = Query.Text(context, "provider")?.ToLowerInvariant();
        var inReplyTo = Query.Text(context, "inReplyTo");
        var phoneText = Query.Text(context, "phone");
        if (inReplyTo is not null)
        {
            if (provider is null)
            {
                return Problems.BadQuery("'inReplyTo' names a message key, which is per provider: give 'provider' too.");
            }

            var message = await MessageReads.LoadAsync(session, messages, StreamKeys.Message(provider, inReplyTo), ct);
            phoneText ??= message?.Phone;
            if (phoneText is null)
            {
                return Results.Json(new ResultPage<ReplyView>(1, (int)(pageSize ?? DefaultPageSize), 0, []));
            }
        }

        IQueryable<Reply> query = session.Query<Reply>();
        if (phoneText is not null)
        {
            var phone = PhoneSearch.Candidates(phoneText, options.CurrentValue.PhoneRegion).ToArray();
            if (phone.Length == 0)
            {
                return Problems.BadQuery("'phone' has no digits.");
            }

            query = query.Where(r => r.PhoneDigits.IsOneOf(phone));
        }

        if (provider is not null)
        {
            query = query.Where(r => r.Provider == provider);
        }

        if (inReplyTo is not null)
        {
            query = query.Where(r => r.InReplyTo == inReplyTo);
        }

        if (from is { } f)
        {
            query = query.Where(r => r.ReceivedAt >= f);
        }

        if (to is { } t)
        {
            query = query.Where(r => r.ReceivedAt < t);
        }

        var number = (int)(page ?? 1);
        var size = (int)(pageSize ?? DefaultPageSize);
        var found = await query.OrderByDescending(r => r.ReceivedAt).ThenBy(r => r.Id).ToPagedListAsync(number, size, ct);
        var caller = context.Caller();
        return Results.Json(new ResultPage<ReplyView>(number, size, found.TotalItemCount, [.. found.Select(r => ReplyView.From(r, caller))]));
    }

    [WolverineGet("/replies/{provider}/{id}")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(string provider, string id, HttpContext context, IQuerySession session, CancellationToken ct)
    {
        var reply = await session.LoadAsync<Reply>(StreamKeys.Reply(provider.ToLowerInvariant(), id), ct);
        return reply is null
            ? Problems.NotFound($"No reply '{id}' has been recorded for {provider}.")
            : Results.Json(ReplyView.From(reply, context.Caller()));
    }
}
