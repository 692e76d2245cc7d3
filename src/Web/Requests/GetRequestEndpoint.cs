using System.Text;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Web.Security;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Requests;

/// <summary>What one item of the request did to its message (from that message's history).</summary>
public sealed record RequestItemView(
    string Provider,
    string MessageKey,
    int? ItemIndex,
    long Version,
    string? Status,
    string? ProviderStatus,
    string? ErrorCode,
    string? Effect,
    string StatusAfter);

/// <summary>
/// The audit view of one HTTP request: the raw request exactly as received (body as text when it
/// decodes in its declared charset, always as base64), its outcome, what each item changed, and the items
/// refused one by one (each quarantined with its index and reason while the rest was appended).
/// </summary>
public sealed record RequestView(
    Guid Id,
    DateTimeOffset ReceivedAt,
    string Provider,
    string? Account,
    string Method,
    string Url,
    string Path,
    string QueryString,
    IReadOnlyList<HeaderEntry> Headers,
    string? BodyText,
    string BodyBase64,
    bool BodyTruncated,
    string? RemoteAddress,
    string Outcome,
    string Verification,
    string? Reason,
    int ItemCount,
    IReadOnlyList<RequestItemView> Items,
    IReadOnlyList<ItemRefusal> RefusedItems);

public static class GetRequestEndpoint
{
    [WolverineGet("/requests/{requestId}")]
    [RequiresRole(Roles.Admin)]
    public static async Task<IResult> Get(string requestId, IQuerySession session, CancellationToken ct)
    {
        if (!Guid.TryParse(requestId, out var id))
        {
            return Problems.BadQuery($"'{requestId}' is not a request id (a UUID, as given in problem details and the history).");
        }

        var record = await session.LoadAsync<RawRequestRecord>(id, ct);
        if (record is null)
        {
            return Problems.NotFound($"No request {id} is on record.");
        }

        // Items are found in the history entries of the messages the record names, so the audit needs no
        // second copy of the request. A record written before it named its streams is found by containment
        // (no index: slow on a large store, but only for such old records).
        var messages = record.ItemCount == 0
            ? []
            : record.Streams.Count > 0
                ? await session.LoadManyAsync<Message>(ct, record.Streams)
                : await session.Query<Message>().Where(h => h.Entries.Any(e => e.RequestId == id)).ToListAsync(ct);
        // One entry per item; in streams of earlier builds an item was two entries (callback, then its reading).
        var items = messages
            .SelectMany(h => h.Entries.Where(e => e.RequestId == id && e.Type != EntryTypes.Rescued && e.Type != EntryTypes.Submitted).Select(e => (h, e)))
            .GroupBy(x => (x.h.Id, x.e.Version - (x.e.Type == EntryTypes.LegacyInterpretation ? 1 : 0)))
            .Select(Item)
            .OrderBy(i => i.ItemIndex)
            .ToList();

        return Results.Json(new RequestView(
            record.Id, record.ReceivedAt, record.Provider, record.Account, record.Method, record.Url, record.Path, record.QueryString,
            record.Headers, TryDecode(record), Convert.ToBase64String(record.Body), record.BodyTruncated, record.RemoteAddress,
            record.Outcome, record.Verification, record.Reason, record.ItemCount, items, record.RefusedItems));
    }

    /// <summary>A report_received entry, or (earlier builds) a callback_received entry and the report_interpreted right after it.</summary>
    private static RequestItemView Item(IEnumerable<(Message History, HistoryEntry Entry)> pair)
    {
        var list = pair.ToList();
        var history = list[0].History;
        var received = list.Select(x => x.Entry).FirstOrDefault(e => e.ItemIndex is not null);
        var report = list.Select(x => x.Entry).FirstOrDefault(e => e.Effect is not null);
        var last = report ?? received!;
        return new RequestItemView(
            history.Provider, history.MessageKey, received?.ItemIndex, last.Version, report?.Status?.ToString().ToLowerInvariant(),
            report?.ProviderStatus, report?.ErrorCode, report?.Effect?.ToString().ToLowerInvariant(), last.StatusAfter.ToString().ToLowerInvariant());
    }

    public static string? TryDecode(RawRequestRecord record)
    {
        var contentType = record.Headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))?.Value;
        var declared = Charsets.Resolve(contentType, null);
        var strict = Encoding.GetEncoding(declared.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        try
        {
            return strict.GetString(record.Body);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
