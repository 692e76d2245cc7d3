using Ledger.Projections;
using Ledger.Web.Messages;
using Ledger.Web.Security;
using Marten;

namespace Ledger.Web.Replies;

/// <summary>
/// The contract's view of a reply from a phone (docs/api.md): the phone masked except for
/// admin, as in <see cref="MessageStatusView"/>; beside the contract's fields, the number it replied to,
/// how often the provider pushed it again, the request that carried it first, and what replays did to it
/// (readings corrected, rescued from quarantine).
/// </summary>
public sealed record ReplyView(
    string Provider,
    string Account,
    string Id,
    string? Phone,
    string Content,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProviderTime,
    string? InReplyTo,
    bool Unsubscribe,
    string? To,
    int DuplicateCount,
    Guid RequestId,
    string ParserVersion,
    int CorrectedCount,
    bool Rescued)
{
    public static ReplyView From(Reply r, Caller? caller) => new(
        r.Provider, r.Account, r.ReplyId, caller?.IsAdmin == true ? r.Phone : PhoneMask.Mask(r.Phone), r.Content, r.ReceivedAt, r.ProviderTime?.Utc,
        r.InReplyTo, r.Unsubscribe, r.To, r.DuplicateCount, r.RequestId, r.ParserVersion, r.CorrectedCount, r.Rescued);
}

/// <summary>Replies by phone, the indexed way every reply query starts (the stored digits, as phone search matches messages).</summary>
public static class PhoneReplies
{
    /// <summary>At most this many replies beside a phone search's messages, newest first.</summary>
    public const int SearchLimit = 50;

    public static async Task<IReadOnlyList<ReplyView>> NewestAsync(IQuerySession session, string[] phoneDigits, Caller? caller, CancellationToken ct)
    {
        var found = await session.Query<Reply>().Where(r => r.PhoneDigits.IsOneOf(phoneDigits))
            .OrderByDescending(r => r.ReceivedAt).ThenBy(r => r.Id).Take(SearchLimit).ToListAsync(ct);
        return [.. found.Select(r => ReplyView.From(r, caller))];
    }
}

/// <summary>
/// `GET /messages?phone=`'s answer: the contract's page of messages, plus the number's replies (newest
/// <see cref="PhoneReplies.SearchLimit"/>) as an extra member, so existing readers of the page see no change.
/// </summary>
public sealed record MessageSearchPage(int Page, int PageSize, long Total, IReadOnlyList<MessageStatusView> Items, IReadOnlyList<ReplyView>? Replies);
