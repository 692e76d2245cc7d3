using Ledger.Projections;
using Ledger.Web.Security;
using Marten;
using Marten.Pagination;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Ledger.Web.Messages;

public static class SearchMessagesEndpoint
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>
    /// `?phone=` matches every way the number can have been stored (<see cref="PhoneSearch"/>; indexed, so
    /// a masked view still finds the full number); `?outId=` matches our own reference. `from`/`to` bound the first receive time; newest first.
    /// </summary>
    [WolverineGet("/messages")]
    [RequiresRole(Roles.Support)]
    public static async Task<IResult> Get(HttpContext context, IQuerySession session, IOptionsMonitor<LedgerOptions> options, CancellationToken ct)
    {
        var phoneText = Query.Text(context, "phone");
        var phone = phoneText is null ? null : PhoneSearch.Candidates(phoneText, options.CurrentValue.PhoneRegion).ToArray();
        if (phone is { Length: 0 })
        {
            phone = null;
        }

        var outId = Query.Text(context, "outId");
        if (phone is null && outId is null)
        {
            return Problems.BadQuery("Give 'phone' (digits, separators ignored) or 'outId' to search by.");
        }

        if (!Query.TryInstant(context, "from", out var from, out var error)
            || !Query.TryInstant(context, "to", out var to, out error)
            || !Query.TryPage(context, DefaultPageSize, MaxPageSize, out var number, out var size, out error))
        {
            return Problems.BadQuery(error!);
        }

        IQueryable<Message> query = session.Query<Message>();
        if (phone is not null)
        {
            query = query.Where(m => m.PhoneDigits.IsOneOf(phone));
        }

        if (outId is not null)
        {
            query = query.Where(m => m.OutId == outId);
        }

        if (from is { } f)
        {
            query = query.Where(m => m.FirstReceivedAt >= f);
        }

        if (to is { } t)
        {
            query = query.Where(m => m.FirstReceivedAt < t);
        }

        var found = await query.OrderByDescending(m => m.FirstReceivedAt).ThenBy(m => m.Id).ToPagedListAsync(number, size, ct);
        var caller = context.Caller();
        IReadOnlyList<MessageStatusView> items = [.. found.Select(m => MessageStatusView.From(m, caller))];
        return phone is null
            ? Results.Json(new ResultPage<MessageStatusView>(number, size, found.TotalItemCount, items))
            : Results.Json(new Replies.MessageSearchPage(number, size, found.TotalItemCount, items, await Replies.PhoneReplies.NewestAsync(session, phone, caller, ct)));
    }
}
