using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ledger.Providers;

namespace Ledger.Ingest;

/// <summary>
/// Every instrument of the `Ledger` meter, in one place (docs/operations.md, Metrics, lists them with their
/// Prometheus names). Tags are bounded: provider and account are the configured names ("unknown" for a
/// route that names neither, so a caller cannot mint new series), reasons are the stored rejection codes.
/// Recording takes a TagList (a struct): no allocation per request beyond it.
/// </summary>
public sealed class LedgerMetrics
{
    public const string MeterName = "Ledger";

    /// <summary>Tag value for a provider or account the route named but the ledger does not know.</summary>
    public const string Unknown = "unknown";

    /// <summary>Reason tag of a request answered 503 because the store could not take it.</summary>
    public const string StorageUnavailable = "storage_unavailable";

    private readonly Counter<long> _received;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _probes;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _replies;
    private readonly Histogram<double> _ingestDuration;
    private readonly Histogram<int> _items;
    private readonly Histogram<double> _reportDelay;
    private readonly Histogram<int> _commitRequests;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _webhookAttempts;
    private readonly Histogram<double> _webhookDuration;
    private long _webhookBacklog = -1;

    public LedgerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _received = meter.CreateCounter<long>("ledger.callbacks.received", "{request}", "Callback requests that reached the ingest edge, by provider and account.");
        _accepted = meter.CreateCounter<long>("ledger.callbacks.accepted", "{request}", "Callback requests committed and acknowledged 2xx (probes excluded).");
        _probes = meter.CreateCounter<long>("ledger.callbacks.probes", "{request}", "Connectivity probes answered (Alibaba's GET check): recorded, neither a report nor a refusal.");
        _replies = meter.CreateCounter<long>("ledger.replies.received", "{reply}", "Replies from phones (上行 / MO) in committed requests, by provider and account.");
        _rejected = meter.CreateCounter<long>("ledger.callbacks.rejected", "{request}", "Callback requests refused (quarantined) or answered 503, by reason.");
        _ingestDuration = meter.CreateHistogram("ledger.ingest.duration", "s", "From the start of the request to the reply, committed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _items = meter.CreateHistogram("ledger.callback.items", "{item}", "Reports per accepted request (batch size).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });
        _reportDelay = meter.CreateHistogram("ledger.report.delay", "s", "From the provider's report time to our receipt, per report (negative skew counts as 0).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 300, 900, 3600, 14400, 86400] });
        _commitRequests = meter.CreateHistogram("ledger.commit.requests", "{request}", "Requests sharing one group commit.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _commitDuration = meter.CreateHistogram("ledger.commit.duration", "s", "Duration of one group commit (session, transaction, fsync).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _webhookAttempts = meter.CreateCounter<long>("ledger.webhooks.attempts", "{attempt}", "Outgoing webhook delivery attempts, by subscriber and outcome (delivered, failed, parked).");
        _webhookDuration = meter.CreateHistogram("ledger.webhooks.duration", "s", "Duration of one outgoing webhook attempt (request to response or failure).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableGauge<long>("ledger.webhooks.backlog", ObserveWebhookBacklog,
            "{envelope}", "Durable envelopes waiting in the store (webhook deliveries and their scheduled retries), sampled periodically.");
    }

    /// <summary>One outgoing webhook attempt to a configured subscriber (bounded: names come from configuration).</summary>
    public void WebhookAttempted(string subscriber, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "subscriber", subscriber }, { "outcome", outcome } };
        _webhookAttempts.Add(1, tags);
        _webhookDuration.Record(duration.TotalSeconds, tags);
    }

    private IEnumerable<Measurement<long>> ObserveWebhookBacklog() =>
        Interlocked.Read(ref _webhookBacklog) is var v and >= 0 ? [new Measurement<long>(v)] : [];

    /// <summary>The latest sampled backlog of waiting deliveries (not reported until first sampled).</summary>
    public void WebhookBacklog(long waiting) => Interlocked.Exchange(ref _webhookBacklog, waiting);

    /// <summary>A request committed and answered 2xx: reports, or a probe when <paramref name="items"/> is empty.</summary>
    /// <param name="replies">Replies from phones the request carried (a request of replies only is accepted, not a probe).</param>
    public void Accepted(string provider, string account, IReadOnlyList<CallbackItem> items, DateTimeOffset receivedAt, long startedTimestamp, int replies = 0)
    {
        var tags = new TagList { { "provider", provider }, { "account", account } };
        _received.Add(1, tags);
        var outcome = "probe";
        if (replies > 0)
        {
            outcome = "accepted";
            _accepted.Add(1, tags);
            _replies.Add(replies, tags);
        }
        else if (items.Count > 0)
        {
            outcome = "accepted";
            _accepted.Add(1, tags);
            _items.Record(items.Count, tags);
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].Report.ProviderTime is { } time)
                {
                    _reportDelay.Record(Math.Max(0, (receivedAt - time.Utc).TotalSeconds), tags);
                }
            }
        }

        if (outcome == "probe")
        {
            _probes.Add(1, tags);
        }

        tags.Add("outcome", outcome);
        _ingestDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    /// <summary>A request refused with <paramref name="reason"/> (a rejection code, or <see cref="StorageUnavailable"/>).</summary>
    public void Rejected(string provider, string account, string reason, long startedTimestamp)
    {
        var tags = new TagList { { "provider", provider }, { "account", account } };
        _received.Add(1, tags);
        tags.Add("reason", reason);
        _rejected.Add(1, tags);
        tags.Add("outcome", reason == StorageUnavailable ? "unavailable" : "rejected");
        _ingestDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    /// <summary>One group commit of <paramref name="requests"/> requests, whether it committed.</summary>
    public void Committed(int requests, TimeSpan duration, bool committed)
    {
        var tags = new TagList { { "outcome", committed ? "committed" : "failed" } };
        _commitRequests.Record(requests, tags);
        _commitDuration.Record(duration.TotalSeconds, tags);
    }
}
