using Ledger.Storage;
using Ledger.Web.Security;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Providers;
using Ledger.Web.Reconciliation;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Messages;

/// <summary>
/// `POST /messages/sent`: finance registers sent messages (JSON array or CSV with a header row), so a
/// report that never comes becomes visible. Appends `MessageSubmitted` to each `{provider}:{messageKey}`
/// stream, through the same group commit as callbacks (serial per stream), with the request kept as a
/// raw record. Order does not matter: a report that arrived first stays valid. A message registered
/// before is skipped (its reconciliation row has a `SentAt`); should two registrations of one message
/// race, the projections keep the first, so a second registration never changes a figure.
/// </summary>
public static class RegisterSentEndpoint
{
    public const int MaxRows = 20_000;
    public const long MaxBodyBytes = 32 * 1024 * 1024;

    [RequiresRole(Roles.Admin)]
    [WolverinePost("/messages/sent")]
    public static async Task<IResult> Post(HttpContext context, CommitQueue commits, IDocumentStore store, ProviderCatalog catalog,
        ReconciliationSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var receivedAt = clock.GetUtcNow();
        var body = await ReadBodyAsync(context.Request, ct);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {MaxBodyBytes} bytes per call; split the registration.");
        }

        var (rows, unreadable) = RegisterSentRows.IsCsv(context.Request.ContentType)
            ? await RegisterSentRows.ReadCsvAsync(body, ct)
            : RegisterSentRows.ReadJson(body);
        if (unreadable is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, "unreadable", unreadable);
        }

        if (rows.Count > MaxRows)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "too_many_rows", $"At most {MaxRows} rows per call; this one has {rows.Count}.");
        }

        var (valid, errors) = RegisterSentRows.Validate(rows, catalog.Names, settings.Zone);
        if (errors.Count > 0)
        {
            return Results.Problem(
                detail: RegisterSentRows.Describe(errors),
                statusCode: StatusCodes.Status400BadRequest,
                title: "invalid_rows",
                type: "urn:callback-ledger:invalid-rows",
                extensions: new Dictionary<string, object?> { ["errors"] = errors });
        }

        // Already registered (earlier call, or earlier in this batch) → skipped.
        var keys = valid.Select(m => StreamKeys.Message(m.Provider, m.MessageKey)).Distinct().ToArray();
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using (var session = store.QuerySession())
        {
            foreach (var chunk in keys.Chunk(1000))
            {
                foreach (var row in await session.LoadManyAsync<Message>(ct, chunk))
                {
                    if (row.SentAt is not null)
                    {
                        known.Add(row.Id);
                    }
                }
            }
        }

        var requestId = Guid.CreateVersion7(receivedAt);
        var appends = new List<StreamAppend>();
        var alreadyKnown = 0;
        foreach (var m in valid)
        {
            var key = StreamKeys.Message(m.Provider, m.MessageKey);
            if (!known.Add(key))
            {
                alreadyKnown++;
                continue;
            }

            appends.Add(new StreamAppend(key,
                [new MessageSubmitted(m.Provider, m.Account, m.MessageKey, m.Phone, m.SentAt, m.BilledParts, m.OutId, requestId, receivedAt)]));
        }

        var providers = valid.Select(m => m.Provider).Distinct().ToList();
        var record = new RawRequestRecord
        {
            Id = requestId,
            Provider = providers.Count == 1 ? providers[0] : "mixed",
            Method = context.Request.Method,
            Url = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}{context.Request.QueryString}",
            Path = context.Request.Path,
            QueryString = context.Request.QueryString.Value ?? "",
            Headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => new HeaderEntry(h.Key, v ?? ""))).ToList(),
            Body = body,
            RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
            ReceivedAt = receivedAt,
        };

        try
        {
            // In chunks, so one commit never holds (and locks) more streams than StreamLocks.MaxLocks: the request
            // is kept once, with the first chunk; a retry after a failed later chunk skips what is already registered.
            var chunks = appends.Chunk(StreamLocks.MaxLocks).ToList();
            for (var i = 0; i < Math.Max(chunks.Count, 1); i++)
            {
                var write = IngestWrite.SentRegistration(record, chunks.Count == 0 ? [] : chunks[i]);
                await commits.CommitAsync(i == 0 ? write : write with { KeepRecord = false });
            }
        }
        catch (StorageUnavailableException)
        {
            return Problems.StorageUnavailable();
        }

        return Results.Json(new { requestId, rows = valid.Count, registered = appends.Count, alreadyKnown });
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"urn:callback-ledger:{title.Replace('_', '-')}");
}
