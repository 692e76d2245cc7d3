using Ledger.Events;
using Ledger.Providers;
using Ledger.Replies;

namespace Ledger.Ingest;

/// <summary>Events for one stream, appended in order.</summary>
public sealed record StreamAppend(string StreamKey, object[] Events);

/// <summary>
/// Everything one HTTP request adds to the store: its raw record and the events it appends. It commits
/// whole or not at all (a batch is one transaction), possibly sharing that transaction with others.
/// </summary>
public sealed record IngestWrite(RawRequestRecord Record, IReadOnlyList<StreamAppend> Appends)
{
    /// <summary>A signed nonce the request carried: claimed in the commit's own transaction (<see cref="Admission"/>).</summary>
    public NonceClaimed? Nonce { get; init; }

    /// <summary>Whether the commit stores <see cref="Record"/>: false for the later chunks of a request split over several commits (kept once, with the first).</summary>
    public bool KeepRecord { get; init; } = true;

    /// <summary>Set when the commit refused the whole request (another account's message, a reused nonce): why, for the answer.</summary>
    public Rejection? Refusal { get; init; }

    /// <param name="record">The request's raw record as the ingest edge captured it, provider and account resolved.</param>
    /// <param name="replies">Replies from phones the request carried: each appended to its own stream `{provider}:reply:{id}`.</param>
    /// <param name="unsubscribe">The configured unsubscribe keywords (the defaults when null).</param>
    /// <param name="refused">Items of the batch refused one by one: each quarantined in a stream of its own, the rest appended.</param>
    public static IngestWrite Accepted(RawRequestRecord record, IReadOnlyList<CallbackItem> items, IReadOnlyList<ReplyItem>? replies = null,
        UnsubscribeKeywords? unsubscribe = null, IReadOnlyList<RefusedItem>? refused = null)
    {
        var provider = record.Provider;
        var account = record.Account ?? "default";
        replies ??= [];
        refused ??= [];
        var appends = new StreamAppend[items.Count + replies.Count + refused.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var key = StorableText.Clean(item.MessageKey)!;
            appends[i] = new StreamAppend(
                StreamKeys.Message(provider, key),
                [new ReportReceived(account, record.Id, item.Index ?? i, StorableText.Clean(item.RawItem)!, record.ReceivedAt, Stored(provider, item))]);
        }

        if (replies.Count > 0)
        {
            unsubscribe ??= new UnsubscribeKeywords();
            for (var i = 0; i < replies.Count; i++)
            {
                var reply = replies[i];
                appends[items.Count + i] = new StreamAppend(
                    StreamKeys.Reply(provider, StorableText.Clean(reply.ReplyId)!),
                    [new ReplyReceived(provider, account, StorableText.Clean(reply.ReplyId)!, StorableText.Clean(reply.Phone), StorableText.Clean(reply.Content)!,
                        reply.ProviderTime is { } t ? t with { Raw = StorableText.Clean(t.Raw)! } : null, StorableText.Clean(reply.InReplyTo),
                        StorableText.Clean(reply.To), unsubscribe.Matches(reply.Content), StorableText.Clean(reply.RawItem)!, record.Id, reply.Index ?? i,
                        record.ReceivedAt, reply.ParserVersion)]);
            }
        }

        for (var i = 0; i < refused.Count; i++)
        {
            appends[items.Count + replies.Count + i] = QuarantinedItem(record with { Account = account }, refused[i]);
        }

        return new IngestWrite(record with
        {
            Outcome = RequestOutcomes.Accepted,
            Verification = "passed",
            ItemCount = items.Count + replies.Count,
            RefusedItems = refused.Count == 0 ? [] : [.. refused.Select(r => new ItemRefusal(r.Index, r.Rejection.Reason, StorableText.Clean(r.Rejection.Detail)!,
                StorableText.Clean(r.MessageKey)))],
            Streams = DistinctStreams(refused.Count == 0 ? appends : appends[..(items.Count + replies.Count)]),
        }, appends);
    }

    /// <summary>One refused item of a request in a quarantine stream of its own (`quarantine:{requestId}:{index}`).</summary>
    public static StreamAppend QuarantinedItem(RawRequestRecord record, RefusedItem item) =>
        new(StreamKeys.Quarantine(record.Id, item.Index),
            [new RequestQuarantined(record.Id, record.Provider, record.Account, item.Rejection.Reason, StorableText.Clean(item.Rejection.Detail)!, record.ReceivedAt,
                item.Index, StorableText.Clean(item.MessageKey), StorableText.Clean(item.RawItem))]);

    /// <summary>
    /// A query answer (docs/rules.md rule 9): each report in it is appended to its message stream exactly
    /// as a pushed one would be, marked <see cref="ReportSources.Pull"/> and classified the same way; each
    /// message it was asked about and held no final report for gets a <see cref="PullFoundNoReport"/>.
    /// The fold decides whether a pulled report repeats a pushed one (MessageProjection.Step).
    /// </summary>
    /// <param name="record">The answer's raw record (<see cref="RawRequestRecord.FromPull"/>).</param>
    public static IngestWrite Pulled(RawRequestRecord record, IReadOnlyList<Ledger.Providers.Pull.PulledReport> reports, IReadOnlyList<string> foundNoReport)
    {
        var provider = record.Provider;
        var account = record.Account ?? "default";
        var appends = new List<StreamAppend>(reports.Count + foundNoReport.Count);
        for (var i = 0; i < reports.Count; i++)
        {
            var item = reports[i];
            var key = StorableText.Clean(item.MessageKey)!;
            appends.Add(new StreamAppend(
                StreamKeys.Message(provider, key),
                [new ReportReceived(account, record.Id, i, StorableText.Clean(item.RawItem)!, record.ReceivedAt,
                    Stored(provider, item.Report, rawReplaced: item.RawItem.Contains('\0')), ReportSources.Pull)]));
        }

        foreach (var key in foundNoReport)
        {
            appends.Add(new StreamAppend(StreamKeys.Message(provider, key),
                [new PullFoundNoReport(provider, account, key, record.Id, record.ReceivedAt, record.Reason ?? "the provider's answer held no final report")]));
        }

        return new IngestWrite(record with
        {
            Outcome = RequestOutcomes.Pulled,
            ItemCount = reports.Count,
            Streams = appends.Count == 0 ? [] : DistinctStreams(appends),
        }, appends);
    }

    /// <summary>
    /// A reading as it is stored (and as replays compare it): classified from the provider's documented codes,
    /// with text PostgreSQL cannot hold replaced (<see cref="StorableText"/>).
    /// </summary>
    /// <summary>A pushed item's reading as stored (and as replays compare it).</summary>
    public static Report Stored(string provider, CallbackItem item) => Stored(provider, item.Report, rawReplaced: item.RawItem.Contains('\0'));

    /// <param name="rawReplaced">The item's raw text needed the same replacement: noted on the reading too.</param>
    public static Report Stored(string provider, Report report, bool rawReplaced = false) =>
        StorableText.Clean(FailureCategories.Classified(provider, report)) is var stored && rawReplaced && stored.TextReplaced != true
            ? stored with { TextReplaced = true }
            : stored;

    /// <summary>The `outcome` of the raw record of a sent-message registration request.</summary>
    public const string SentRegistrationOutcome = "sent_registration";

    /// <summary>
    /// A general "append these events" write (sent registration): the request is kept as evidence like a
    /// callback, and the appends go through the same group commit, so they are serial per stream.
    /// </summary>
    public static IngestWrite SentRegistration(RawRequestRecord record, IReadOnlyList<StreamAppend> appends) =>
        new(record with { Outcome = SentRegistrationOutcome, Verification = "api", ItemCount = appends.Count, Streams = DistinctStreams(appends) }, appends);

    private static string[] DistinctStreams(IReadOnlyList<StreamAppend> appends)
    {
        if (appends.Count == 1)
        {
            return [appends[0].StreamKey]; // a single report, the common request: no set needed
        }

        var keys = new HashSet<string>(appends.Count, StringComparer.Ordinal);
        var ordered = new List<string>(appends.Count);
        foreach (var append in appends)
        {
            if (keys.Add(append.StreamKey))
            {
                ordered.Add(append.StreamKey);
            }
        }

        return [.. ordered];
    }

    public static IngestWrite Probe(RawRequestRecord record) =>
        new(record with { Outcome = RequestOutcomes.Probe, Verification = "passed" }, []);

    public static IngestWrite Quarantined(RawRequestRecord record, Rejection rejection)
    {
        // A refusal's detail may quote the value it refused: cleaned like a reading (PostgreSQL holds no U+0000).
        var quarantined = new RequestQuarantined(record.Id, record.Provider, record.Account, rejection.Reason, StorableText.Clean(rejection.Detail)!, record.ReceivedAt);
        var stored = record with
        {
            Outcome = RequestOutcomes.Quarantined,
            // Refused after verification (another account's message) it still passed; else it was never verified.
            Verification = rejection.StatusCode == 401 ? rejection.Reason : record.Verification == "passed" ? "passed" : "not verified",
            Reason = rejection.Reason,
            ItemCount = 0,
            RefusedItems = [],
            Streams = [],
        };
        return new IngestWrite(stored, [new StreamAppend(StreamKeys.Quarantine(record.Id), [quarantined])]) { Refusal = rejection };
    }
}

/// <summary>A nonce claimed for a scope (provider/account) until it expires.</summary>
public sealed record NonceClaimed(string Scope, string Value, DateTimeOffset ExpiresAt);
