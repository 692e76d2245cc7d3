using Ledger.Events;
using Ledger.Projections;
using Marten;

namespace Ledger.Web.Messages;

/// <summary>
/// A message key as a support or finance view shows it (<see cref="PhoneMask.Key"/>: an Alibaba key with its
/// phone masked) is still the message's address: the read endpoints take it and find the one stored key it
/// stands for (same provider, same text around the stars, same length). Two messages that mask alike (same
/// `biz_id`, phones differing only in the hidden digits) are ambiguous: the caller searches by phone instead.
/// </summary>
public static class MaskedKeys
{
    public static bool IsMasked(string provider, string messageKey) => provider == "aliyun" && messageKey.Contains('*');

    /// <returns>The stored message key, or null with the number of stored keys that matched (0: none, 2: ambiguous).</returns>
    public static async Task<(string? Key, int Matches)> ResolveAsync(IDocumentStore store, string provider, string masked, CancellationToken ct)
    {
        var stream = StreamKeys.Message(provider, masked);
        var prefix = stream[..stream.IndexOf('*')];
        var suffix = stream[(stream.LastIndexOf('*') + 1)..];
        await using var session = store.QuerySession();
        var ids = await session.Query<Message>().Where(m => m.Id.StartsWith(prefix)).Select(m => m.Id).Take(1000).ToListAsync(ct);
        var matches = ids.Where(id => id.Length == stream.Length && id.StartsWith(prefix, StringComparison.Ordinal) && id.EndsWith(suffix, StringComparison.Ordinal))
            .Distinct().Take(2).ToList();
        return matches.Count == 1 ? (StreamKeys.OfMessage(matches[0]).MessageKey, 1) : (null, matches.Count);
    }

    /// <summary>The key to read: as given, or the stored key a masked one stands for; a problem when there is none or more than one.</summary>
    public static async Task<(string? Key, IResult? Problem)> ReadableAsync(IDocumentStore store, string provider, string messageKey, CancellationToken ct)
    {
        if (!IsMasked(provider, messageKey))
        {
            return (messageKey, null);
        }

        var (key, matches) = await ResolveAsync(store, provider, messageKey, ct);
        return key is not null ? (key, null)
            : matches == 0 ? (null, Problems.NotFound($"No callback has been recorded for {provider} message '{messageKey}'."))
            : (null, Results.Problem(statusCode: 409, title: "ambiguous_key",
                detail: $"Several {provider} messages show as '{messageKey}' with their phone masked; search by the phone (GET /messages?phone=) to tell them apart."));
    }
}
