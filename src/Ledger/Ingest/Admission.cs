using Ledger.Events;
using Ledger.Providers;

namespace Ledger.Ingest;

/// <summary>
/// What a commit may write, decided inside its transaction once the streams are locked and their owners
/// read (docs/rules.md, accounts own their messages; signed nonces live and die with the commit). Pure: the
/// writer supplies who owns each stream and whether each request's nonce was fresh, and writes what this
/// returns, so a refusal is recorded in the same transaction that would have applied the report.
/// </summary>
/// <summary>Who owns each stream of a commit, as the writer read it; a claim records the owner of a stream the commit creates.</summary>
public interface IStreamOwners
{
    /// <returns>The owning account, or null when the stream is new (or its owner unknown).</returns>
    string? Owner(string streamKey);

    void Claim(string streamKey, string account);
}

public static class Admission
{
    /// <summary>
    /// One request of the commit, in commit order. <paramref name="owners"/> gives the account that owns a
    /// stream (read from its document; claimed here as this commit creates streams, so a later request of the
    /// same commit sees an earlier one's new message).
    /// </summary>
    /// <param name="nonceFresh">false when the request's signed nonce was already used within its window.</param>
    /// <returns>The write as it commits: unchanged, with another account's items quarantined one by one, or refused whole.</returns>
    public static IngestWrite Admit(IngestWrite write, bool nonceFresh, IStreamOwners owners)
    {
        if (!nonceFresh)
        {
            return IngestWrite.Quarantined(write.Record, Rejection.Unverified(RejectionReasons.ReusedNonce,
                "This nonce was already used within the signature's time window; a replayed request is refused."));
        }

        List<(int Append, RefusedItem Item)>? foreign = null;
        for (var a = 0; a < write.Appends.Count; a++)
        {
            var append = write.Appends[a];
            foreach (var e in append.Events)
            {
                if (Claim(e, append.StreamKey) is not { } claim)
                {
                    continue;
                }

                if (owners.Owner(append.StreamKey) is not { Length: > 0 } owner)
                {
                    owners.Claim(append.StreamKey, claim.Account);
                }
                else if (claim.Refusable && !string.Equals(owner, claim.Account, StringComparison.Ordinal))
                {
                    (foreign ??= []).Add((a, new RefusedItem(claim.ItemIndex, new Rejection(RejectionReasons.AccountMismatch,
                        $"The message belongs to account '{owner}' of this provider; account '{claim.Account}' may not report on it.", 403),
                        claim.RawItem, claim.Key)));
                    break;
                }
            }
        }

        return foreign is null ? write : Refuse(write, foreign);
    }

    /// <summary>The account an event claims its stream for; <c>Refusable</c> when it is a report or reply that may be refused for it.</summary>
    private static (string Account, bool Refusable, int ItemIndex, string? RawItem, string? Key)? Claim(object e, string streamKey) => e switch
    {
        ReportReceived r => (r.Account, true, r.ItemIndex, r.RawItem, StreamKeys.OfMessage(streamKey).MessageKey),
        ReplyReceived r => (r.Account, true, r.ItemIndex, r.RawItem, r.ReplyId),
        MessageSubmitted m => (m.Account, false, 0, null, null),
        PullFoundNoReport p => (p.Account, false, 0, null, null),
        _ => null,
    };

    private static IngestWrite Refuse(IngestWrite write, List<(int Append, RefusedItem Item)> foreign)
    {
        var kept = new List<StreamAppend>(write.Appends.Count);
        var refusedAppends = new HashSet<int>(foreign.Select(f => f.Append));
        var items = 0;
        for (var a = 0; a < write.Appends.Count; a++)
        {
            if (refusedAppends.Contains(a))
            {
                continue;
            }

            kept.Add(write.Appends[a]);
            items += write.Appends[a].Events.Count(e => e is ReportReceived or ReplyReceived);
        }

        if (items == 0)
        {
            // Nothing of the request may be applied: refused whole, with the reason its first item gave.
            var first = foreign[0].Item.Rejection;
            return IngestWrite.Quarantined(write.Record, foreign.Count == 1 ? first : first with { Detail = $"Item {foreign[0].Item.Index}: {first.Detail}" });
        }

        var record = write.Record;
        var streams = kept.Where(k => !StreamKeys.IsQuarantine(k.StreamKey)).Select(k => k.StreamKey).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var (_, item) in foreign)
        {
            kept.Add(IngestWrite.QuarantinedItem(record, item));
        }

        var refusals = record.RefusedItems.Concat(foreign.Select(f => new ItemRefusal(f.Item.Index, f.Item.Rejection.Reason,
                StorableText.Clean(f.Item.Rejection.Detail)!, StorableText.Clean(f.Item.MessageKey))))
            .OrderBy(r => r.Index).ToList();
        return write with
        {
            Record = record with
            {
                ItemCount = items,
                RefusedItems = refusals,
                Streams = streams,
            },
            Appends = kept,
        };
    }
}
