using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Replies;

namespace Ledger.Replay;

/// <summary>
/// Reading a stored request again with today's adapter, and deciding what that changes. Pure: the
/// runner loads the records and streams and appends what these functions return.
/// </summary>
public static class Reinterpretation
{
    /// <summary>The request as it came on the wire, rebuilt from its raw record.</summary>
    public static RawCallback Rebuild(RawRequestRecord record) => new(
        record.Id, record.Method, record.Url, record.Path, record.QueryString, record.Headers, record.Body, record.RemoteAddress, record.ReceivedAt);

    /// <summary>
    /// The largest body a stored compressed request is decoded to. A record was accepted within
    /// Ledger:MaxBodyBytes (which replay does not know); this only bounds the work on a hostile record.
    /// </summary>
    public const long MaxDecodedBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Today's adapter on the stored request, with `now` = the receive time: signed timestamps verify
    /// as they did at receipt (the tolerance window is not re-judged against today). Nonces are not
    /// claimed again: the request was received once, its nonce was judged then.
    /// </summary>
    public static AdapterResult ReadAgain(IProviderAdapter adapter, RawRequestRecord record, ProviderAccount account)
    {
        try
        {
            // A compressed body is decoded as it was at receipt (the record keeps the wire bytes).
            var (request, problem) = ContentEncodings.AsRead(Rebuild(record), MaxDecodedBytes);
            if (request is null)
            {
                return AdapterResult.Reject(new Rejection(RejectionReasons.UnsupportedEncoding, problem!, 400));
            }

            // A push to the replies route is read again by the reader that read it then.
            return BatchItems.Bounded(adapter is IReplyReader replies && ReplyRoutes.IsReplyPath(record.Path)
                ? replies.HandleReply(request, account, record.ReceivedAt)
                : adapter.Handle(request, account, record.ReceivedAt));
        }
        catch (Exception e)
        {
            return AdapterResult.Reject(Rejection.Malformed($"The parser failed: {e.Message}"));
        }
    }

    /// <summary>Two readings are the same report when they differ at most in the parser version that produced them.</summary>
    public static bool SameReading(Report a, Report b) => a with { ParserVersion = "" } == b with { ParserVersion = "" };

    /// <summary>
    /// What today's reading of an accepted request changes, item by item. <paramref name="latest"/>
    /// gives the latest interpretation on record of an item in a message's stream (null: none there).
    /// Items the parser reads as before give nothing, which is what makes a replay idempotent.
    /// </summary>
    public static IReadOnlyList<ItemChange> Compare(
        RawRequestRecord record,
        AdapterResult reading,
        Func<string, Guid, int, Report?> latest,
        Func<string, bool>? includeKey = null)
    {
        if (reading is not AdapterResult.Accepted accepted)
        {
            var detail = reading is AdapterResult.Rejected r ? $"{r.Rejection.Reason}: {r.Rejection.Detail}" : "read as a connectivity probe";
            return [new ItemChange(DifferenceKinds.NowRefused, null, -1, null, null, detail)];
        }

        var changes = new List<ItemChange>();
        for (var k = 0; k < accepted.Items.Count; k++)
        {
            var item = accepted.Items[k];
            var i = item.Index ?? k;
            if (includeKey is not null && !includeKey(item.MessageKey) || record.RefusedItems.Any(r => r.Index == i))
            {
                // An item refused at receipt (unreadable then, or another account's message) is in no stream to compare with.
                continue;
            }

            var previous = latest(StorableText.Clean(item.MessageKey)!, record.Id, i);
            if (previous is null)
            {
                changes.Add(new ItemChange(DifferenceKinds.KeyChanged, item.MessageKey, i, null, item.Report,
                    "Today's parser keys this item to a message whose stream does not hold it; nothing appended."));
            }
            else if (IngestWrite.Stored(record.Provider, item) is var today && !SameReading(previous, today))
            {
                // Categories are part of the reading: a table that moved re-categorizes what is stored.
                changes.Add(new ItemChange(DifferenceKinds.Corrected, item.MessageKey, i, previous, today, null));
            }
        }

        return changes;
    }

    /// <summary>Today's reading of a reply item, as ingest would store it (the unsubscribe flag from today's keywords).</summary>
    public static ReplyReading Reading(ReplyItem reply, UnsubscribeKeywords unsubscribe) =>
        new(reply.Phone, reply.Content, reply.ProviderTime, reply.InReplyTo, reply.To, unsubscribe.Matches(reply.Content), reply.ParserVersion);

    /// <summary>
    /// What today's reading of an accepted request changes in its replies, reply by reply, as <see cref="Compare"/>
    /// does for its reports. <paramref name="latest"/> gives the latest reading on record of a reply item in the
    /// stream of that reply id (null: none there, so today's reader gives the reply another id).
    /// </summary>
    public static IReadOnlyList<ReplyChange> CompareReplies(
        AdapterResult.Accepted reading,
        Guid requestId,
        Func<string, Guid, int, ReplyReading?> latest,
        UnsubscribeKeywords unsubscribe)
    {
        var changes = new List<ReplyChange>();
        for (var i = 0; i < reading.ReplyItems.Count; i++)
        {
            var reply = reading.ReplyItems[i];
            var today = Reading(reply, unsubscribe);
            var previous = latest(reply.ReplyId, requestId, i);
            if (previous is null)
            {
                changes.Add(new ReplyChange(DifferenceKinds.KeyChanged, reply.ReplyId, i, null, today,
                    "Today's reader gives this reply an id whose stream does not hold it; nothing appended."));
            }
            else if (!previous.SameAs(today))
            {
                changes.Add(new ReplyChange(DifferenceKinds.Corrected, reply.ReplyId, i, previous, today, null));
            }
        }

        return changes;
    }

    /// <summary>
    /// Whether a quarantined request may be rescued at all: a replayed nonce stays refused (that request
    /// was a replay by definition), and a truncated body is not the request as sent.
    /// </summary>
    public static bool MayRescue(RawRequestRecord record) =>
        record.Outcome == RequestOutcomes.Quarantined && !record.BodyTruncated && record.Reason != RejectionReasons.ReusedNonce;

    /// <summary>
    /// The events that route a rescued request's items into their message streams and its replies into their
    /// reply streams (each behind its rescue marker, through the same <see cref="IngestWrite.Accepted"/> as
    /// live ingest), and its quarantine marker.
    /// </summary>
    public static IReadOnlyList<StreamAppend> Rescue(
        RawRequestRecord record, string account, AdapterResult.Accepted reading, Guid replayId, string startedBy, DateTimeOffset now,
        UnsubscribeKeywords? unsubscribe = null)
    {
        var ingest = IngestWrite.Accepted(record with { Account = account }, reading.Items, reading.ReplyItems, unsubscribe);
        var appends = new List<StreamAppend>(ingest.Appends.Count + 1);
        for (var i = 0; i < ingest.Appends.Count; i++)
        {
            object rescued = i < reading.Items.Count
                ? new CallbackRescued(replayId, record.Id, record.Provider, account, reading.Items[i].MessageKey, record.ReceivedAt,
                    record.Reason ?? "", startedBy, now)
                : new ReplyRescued(replayId, record.Id, record.Provider, account, reading.ReplyItems[i - reading.Items.Count].ReplyId,
                    record.ReceivedAt, record.Reason ?? "", startedBy, now);
            appends.Add(new StreamAppend(ingest.Appends[i].StreamKey, [rescued, .. ingest.Appends[i].Events]));
        }

        appends.Add(new StreamAppend(StreamKeys.Quarantine(record.Id),
        [
            new RequestRescued(replayId, record.Id, reading.Items.Select(x => x.MessageKey).Distinct().ToList(), now,
                reading.ReplyItems.Count == 0 ? null : reading.ReplyItems.Select(x => x.ReplyId).Distinct().ToList()),
        ]));
        return appends;
    }

    /// <summary>
    /// The difference row of a reply: the same row as a report's, its id and <see cref="ReplayDifference.ReplyId"/>
    /// marking it a reply's, provider times and parser versions in the columns they share, and the content and
    /// unsubscribe flag, which reports do not have, in <see cref="ReplayDifference.Detail"/>.
    /// </summary>
    public static ReplayDifference ReplyDifference(Guid replayId, RawRequestRecord record, ReplyChange change, bool applied) =>
        Row($"{replayId:N}/{record.Id:N}/reply/{change.ItemIndex}", replayId, record, change.Kind, change.ItemIndex, applied) with
        {
            ReplyId = change.ReplyId,
            PreviousReportedAt = change.Previous?.ProviderTime?.Utc,
            PreviousParserVersion = change.Previous?.ParserVersion,
            CorrectedReportedAt = change.Corrected?.ProviderTime?.Utc,
            CorrectedParserVersion = change.Corrected?.ParserVersion,
            Detail = change.Detail ?? ReplyDetail(change.Previous, change.Corrected),
        };

    private static string? ReplyDetail(ReplyReading? previous, ReplyReading? corrected)
    {
        if (corrected is null)
        {
            return null;
        }

        var parts = new List<string>();
        if (previous is null || previous.Content != corrected.Content)
        {
            parts.Add(previous is null ? $"content '{corrected.Content}'" : $"content '{previous.Content}' -> '{corrected.Content}'");
        }

        if (previous is not null && previous.Unsubscribe != corrected.Unsubscribe)
        {
            parts.Add($"unsubscribe {previous.Unsubscribe} -> {corrected.Unsubscribe}");
        }

        if (previous is not null && previous.InReplyTo != corrected.InReplyTo)
        {
            parts.Add($"inReplyTo '{previous.InReplyTo}' -> '{corrected.InReplyTo}'");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    public static ReplayDifference Difference(Guid replayId, RawRequestRecord record, ItemChange change, bool applied) =>
        Row($"{replayId:N}/{record.Id:N}/{change.ItemIndex}", replayId, record, change.Kind, change.ItemIndex, applied) with
        {
            MessageKey = change.MessageKey,
            PreviousStatus = change.Previous?.Status.ToString().ToLowerInvariant(),
            PreviousFinal = change.Previous?.Final,
            PreviousProviderStatus = change.Previous?.ProviderStatus,
            PreviousErrorCode = change.Previous?.ErrorCode,
            PreviousReportedAt = change.Previous?.ProviderTime?.Utc,
            PreviousParserVersion = change.Previous?.ParserVersion,
            CorrectedStatus = change.Corrected?.Status.ToString().ToLowerInvariant(),
            CorrectedFinal = change.Corrected?.Final,
            CorrectedProviderStatus = change.Corrected?.ProviderStatus,
            CorrectedErrorCode = change.Corrected?.ErrorCode,
            CorrectedReportedAt = change.Corrected?.ProviderTime?.Utc,
            CorrectedParserVersion = change.Corrected?.ParserVersion,
            Detail = change.Detail,
        };

    /// <summary>What every difference row says of where its item came from: the replay, the request, the item.</summary>
    private static ReplayDifference Row(string id, Guid replayId, RawRequestRecord record, string kind, int itemIndex, bool applied) => new()
    {
        Id = id,
        ReplayId = replayId,
        Kind = kind,
        Applied = applied,
        Provider = record.Provider,
        Account = record.Account,
        RequestId = record.Id,
        ItemIndex = itemIndex,
        ReceivedAt = record.ReceivedAt,
    };
}

/// <summary>One item that today's parser reads differently (or cannot place), with both readings.</summary>
public sealed record ItemChange(string Kind, string? MessageKey, int ItemIndex, Report? Previous, Report? Corrected, string? Detail);

/// <summary>One reply that today's reader reads differently (or gives another id), with both readings.</summary>
public sealed record ReplyChange(string Kind, string ReplyId, int ItemIndex, ReplyReading? Previous, ReplyReading? Corrected, string? Detail);
