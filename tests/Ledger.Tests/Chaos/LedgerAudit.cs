using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Web.Rebuild;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Tests.Chaos;

/// <summary>What the audit found after a crash scenario; <see cref="Failures"/> empty means every promise held.</summary>
public sealed record AuditResult(int Sent, int Acknowledged, int AcknowledgedFound, int UnacknowledgedFound, int Streams, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"sent {Sent}, acknowledged {Acknowledged}, acknowledged and found {AcknowledgedFound}, " +
        $"not acknowledged but found {UnacknowledgedFound} (at-least-once), streams {Streams}, failures {Failures.Count}";
}

/// <summary>
/// Reads the whole ledger back after a crash and checks the promises: every acknowledged report is in
/// its stream exactly as sent, nothing is half-written, and every projection equals a rebuild from the events.
/// </summary>
public static class LedgerAudit
{
    public static async Task<AuditResult> RunAsync(IDocumentStore store, IReadOnlyCollection<SentReport> sent)
    {
        var failures = new List<string>();
        await using var session = store.QuerySession();

        var events = (await session.Events.QueryAllRawEvents().ToListAsync())
            .Where(e => e.StreamKey is not null && e.StreamKey.StartsWith("tencent:", StringComparison.Ordinal))
            .GroupBy(e => e.StreamKey!)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Version).ToList());
        var raw = (await session.Query<RawRequestRecord>().ToListAsync()).ToDictionary(r => r.Id);

        // Nothing half-written: a stream is whole ReportReceived events (one per report), each request on
        // record, and every accepted record has its events.
        var requestsWithEvents = new HashSet<Guid>();
        foreach (var (key, stream) in events)
        {
            for (var i = 0; i < stream.Count; i++)
            {
                if (stream[i].Data is not ReportReceived received)
                {
                    failures.Add($"{key}: event {i + 1} is {stream[i].Data.GetType().Name}, not a report");
                    continue;
                }

                requestsWithEvents.Add(received.RequestId);
                if (!raw.TryGetValue(received.RequestId, out var record) || record.Outcome != RequestOutcomes.Accepted)
                {
                    failures.Add($"{key}: request {received.RequestId} has events but no accepted raw record");
                }
            }
        }

        foreach (var record in raw.Values.Where(r => r.Outcome == RequestOutcomes.Accepted && r.Provider == "tencent"))
        {
            if (!requestsWithEvents.Contains(record.Id))
            {
                failures.Add($"raw record {record.Id} was accepted but has no events");
            }
        }

        // Never lost: every acknowledged report is in its stream, exactly as sent, once.
        var acknowledged = 0;
        var acknowledgedFound = 0;
        var unacknowledgedFound = 0;
        var sids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in sent)
        {
            sids.Add(report.Sid);
            var isAck = report.Status is >= 200 and < 300;
            acknowledged += isAck ? 1 : 0;
            if (!events.TryGetValue($"tencent:{report.Sid}", out var stream))
            {
                if (isAck)
                {
                    failures.Add($"acknowledged report {report.Sid} is not in the ledger");
                }

                continue;
            }

            var received = stream.Select(e => e.Data).OfType<ReportReceived>().ToList();
            if (received.Count != 1 || received[0].RawItem != report.Item)
            {
                failures.Add($"tencent:{report.Sid}: {received.Count} ReportReceived; raw item {(received.Count > 0 && received[0].RawItem == report.Item ? "equal" : "differs")}");
            }

            if (isAck)
            {
                acknowledgedFound++;
            }
            else
            {
                unacknowledgedFound++;
            }
        }

        failures.AddRange(events.Keys.Where(k => !sids.Contains(k["tencent:".Length..])).Select(k => $"{k}: a stream nobody sent"));
        failures.AddRange(await ProjectionsEqualRebuildAsync(store));
        return new AuditResult(sent.Count, acknowledged, acknowledgedFound, unacknowledgedFound, events.Count, failures);
    }

    /// <summary>Every read model's documents, then the rebuild facility, then the documents again: they must be equal.</summary>
    private static async Task<IEnumerable<string>> ProjectionsEqualRebuildAsync(IDocumentStore store)
    {
        var before = await SnapshotAsync(store);
        await ProjectionRebuild.RunAsync(store, NullLogger.Instance, CancellationToken.None);
        var after = await SnapshotAsync(store);
        var failures = new List<string>();
        foreach (var id in before.Keys.Union(after.Keys))
        {
            var was = before.GetValueOrDefault(id);
            var now = after.GetValueOrDefault(id);
            if (was != now)
            {
                failures.Add($"projection {id} differs from its rebuild:\n  inline:  {was ?? "(missing)"}\n  rebuilt: {now ?? "(missing)"}");
            }
        }

        return failures;
    }

    private static async Task<Dictionary<string, string>> SnapshotAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var docs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in await session.Query<Message>().ToListAsync())
        {
            docs[$"{nameof(Message)}/{d.Id}"] = JsonSerializer.Serialize(d);
        }

        foreach (var d in await session.Query<RejectedRequest>().ToListAsync())
        {
            docs[$"{nameof(RejectedRequest)}/{d.Id}"] = JsonSerializer.Serialize(d);
        }

        return docs;
    }
}
