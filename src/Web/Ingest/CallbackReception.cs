using Ledger.Storage;
using System.Buffers;
using System.Diagnostics;
using Ledger.Ingest;
using Ledger.Providers;
using Microsoft.Extensions.Options;

namespace Ledger.Web.Ingest;

/// <summary>
/// The edge of the ingest path: reads the request exactly as it came (size-limited), hands it to the
/// provider's adapter, commits what the adapter produced through the group-commit queue, and only then
/// answers with the reply the provider expects. Refused requests are kept in quarantine.
/// </summary>
public sealed class CallbackReception(ProviderCatalog catalog, CommitQueue commits, IOptionsMonitor<LedgerOptions> options, TimeProvider clock, LedgerMetrics metrics, ILogger<CallbackReception> logger,
    Ledger.Replies.UnsubscribeKeywords unsubscribe)
{
    /// <param name="replies">The request came in on `/callbacks/{provider}/replies[/{account}]`: read by the provider's reply reader.</param>
    public async Task<IResult> ReceiveAsync(HttpContext context, string provider, string? account, bool replies = false)
    {
        var started = Stopwatch.GetTimestamp();
        var settings = options.CurrentValue;
        var receivedAt = clock.GetUtcNow();
        var (body, tooLarge, timedOut) = await ReadBodyAsync(context.Request, settings.MaxBodyBytes, TimeSpan.FromSeconds(settings.BodyTimeoutSeconds),
            context.RequestAborted);
        var request = Capture(context, body, receivedAt, settings.PublicBaseUrl);
        var record = RawRequestRecord.From(CompressedBodies.AsReceived(context, request), provider.ToLowerInvariant(), account);

        // Every log line of this request carries the id under which its raw record is kept.
        using var scope = logger.BeginScope(new RequestScope(request.RequestId));

        if (timedOut)
        {
            var (metricProvider, metricAccount) = MetricNames(settings, provider, account);
            return await QuarantineAsync(record with { BodyTruncated = true }, started, metricProvider, metricAccount, new Rejection(RejectionReasons.BodyTimeout,
                $"The body did not arrive in full within {settings.BodyTimeoutSeconds} s (Ledger__BodyTimeoutSeconds); what came is kept.", 408));
        }

        if (tooLarge)
        {
            var (metricProvider, metricAccount) = MetricNames(settings, provider, account);
            return await QuarantineAsync(record with { BodyTruncated = true }, started, metricProvider, metricAccount, new Rejection(RejectionReasons.TooLarge,
                $"The body is larger than the {settings.MaxBodyBytes} bytes this ledger accepts (Ledger__MaxBodyBytes).", 413));
        }

        if (CompressedBodies.Refusal(context) is { } undecodable)
        {
            var (metricProvider, metricAccount) = MetricNames(settings, provider, account);
            return await QuarantineAsync(record, started, metricProvider, metricAccount, undecodable);
        }

        var adapter = catalog.Find(provider);
        if (adapter is null)
        {
            return await QuarantineAsync(record, started, LedgerMetrics.Unknown, LedgerMetrics.Unknown, new Rejection(RejectionReasons.UnknownProvider,
                $"No provider is called '{provider}'. Known providers: {string.Join(", ", catalog.Names.Order())}.", 404));
        }

        var accountSettings = settings.Account(adapter.Name, account);
        if (accountSettings is null)
        {
            return await QuarantineAsync(record with { Provider = adapter.Name }, started, adapter.Name, LedgerMetrics.Unknown, new Rejection(RejectionReasons.UnknownAccount,
                $"Provider '{adapter.Name}' has no account '{account}' configured (Ledger__Providers__{adapter.Name}__{account}__…).", 404));
        }

        var accountName = accountSettings.Name;
        record = record with { Provider = adapter.Name, Account = accountName };
        AdapterResult result;
        try
        {
            result = !replies ? adapter.Handle(request, accountSettings, receivedAt)
                : adapter is IReplyReader reader ? reader.HandleReply(request, accountSettings, receivedAt)
                : AdapterResult.Reject(new Rejection(ReplyRejections.UnknownShape,
                    $"Provider '{adapter.Name}' pushes no replies this ledger reads; its replies route takes nothing.", 404));
        }
        catch (Exception e)
        {
            // An adapter bug must not lose the request: keep it as evidence and let the provider retry.
            logger.LogError(e, "Adapter {Provider} failed on request {RequestId}", adapter.Name, request.RequestId);
            return await QuarantineAsync(record, started, adapter.Name, accountName, new Rejection(RejectionReasons.Malformed, "The report could not be read by this ledger's parser.", 400));
        }

        result = BatchItems.Bounded(result);
        return result switch
        {
            AdapterResult.Accepted accepted => await CommitAsync(
                IngestWrite.Accepted(record, accepted.Items, accepted.Replies, unsubscribe, accepted.Refused) with
                {
                    // Claimed inside the commit (NonceLedger): spent only if the reports are.
                    Nonce = accepted.Nonce is { } nonce ? new NonceClaimed($"{adapter.Name}/{accountName}", nonce.Value, nonce.ExpiresAt) : null,
                },
                accepted.Reply, accepted.Items, started, accepted.ReplyItems.Count),
            AdapterResult.Probe probe => await CommitAsync(IngestWrite.Probe(record), probe.Reply, [], started, 0),
            AdapterResult.Rejected rejected => await QuarantineAsync(record, started, adapter.Name, accountName, rejected.Rejection),
            _ => throw new InvalidOperationException($"Unexpected adapter result {result.GetType().Name}"),
        };
    }

    private async Task<IResult> CommitAsync(IngestWrite write, ProviderReply reply, IReadOnlyList<CallbackItem> items, long started, int replies)
    {
        var record = write.Record;
        IngestWrite committed;
        try
        {
            committed = await commits.CommitAsync(write);
        }
        catch (StorageUnavailableException e)
        {
            logger.LogWarning(e.InnerException, "Storage unavailable; request {RequestId} answered 503", record.Id);
            metrics.Rejected(record.Provider, record.Account ?? "default", LedgerMetrics.StorageUnavailable, started);
            return Problems.StorageUnavailable();
        }
        catch (Exception e)
        {
            // Refused by the store for what this request carries (it failed alone: CommitQueue retries a shared
            // commit request by request). Kept in quarantine with the store's reason, never a 5xx.
            logger.LogWarning("The store refused request {RequestId}: {Error}", record.Id, StoreError(e));
            return await QuarantineAsync(record, started, record.Provider, record.Account ?? "default", new Rejection(RejectionReasons.Unstorable,
                $"The store could not hold this request's data ({StoreError(e)}); it is kept in quarantine as received.", 422));
        }

        if (committed.Refusal is { } refusal)
        {
            // Refused inside the commit (another account's message, a reused nonce): quarantined there already.
            logger.LogInformation("Request {RequestId} for {Provider} refused: {Reason}", record.Id, record.Provider, refusal.Reason);
            metrics.Rejected(record.Provider, record.Account ?? "default", refusal.Reason, started);
            return Refused(record.Id, refusal);
        }

        if (committed.Record.RefusedItems.Count > 0)
        {
            logger.LogInformation("Request {RequestId} for {Provider}: {Refused} items quarantined on their own, the rest appended", record.Id, record.Provider,
                committed.Record.RefusedItems.Count);
        }

        metrics.Accepted(record.Provider, record.Account ?? "default", Kept(items, committed.Record.RefusedItems), record.ReceivedAt, started, replies);

        return Results.Text(reply.Body, reply.ContentType, statusCode: reply.StatusCode);
    }

    /// <summary>The items the commit appended (without those it refused as another account's).</summary>
    private static IReadOnlyList<CallbackItem> Kept(IReadOnlyList<CallbackItem> items, IReadOnlyList<ItemRefusal> refused)
    {
        if (refused.Count == 0)
        {
            return items;
        }

        var list = new List<CallbackItem>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (!refused.Any(r => r.Index == (items[i].Index ?? i)))
            {
                list.Add(items[i]);
            }
        }

        return list;
    }

    /// <summary>What the store said, without values from the request (they may hold phone numbers).</summary>
    private static string StoreError(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is Npgsql.PostgresException pg)
            {
                return $"SQLSTATE {pg.SqlState}: {pg.MessageText}";
            }
        }

        return e.GetType().Name;
    }

    private static IResult Refused(Guid requestId, Rejection rejection) => Results.Problem(
        detail: rejection.Detail,
        statusCode: rejection.StatusCode,
        title: rejection.Reason,
        type: $"urn:callback-ledger:rejection:{rejection.Reason}",
        extensions: new Dictionary<string, object?> { ["requestId"] = requestId, ["reason"] = rejection.Reason });

    /// <param name="metricProvider">The provider as a metric tag: its catalog name, or "unknown" (never the raw route value).</param>
    private async Task<IResult> QuarantineAsync(RawRequestRecord record, long started, string metricProvider, string metricAccount, Rejection rejection)
    {
        if (RefusedUnauthenticated(rejection) && record.Body.Length > options.CurrentValue.MaxRefusedBodyBytes && !record.BodyTruncated)
        {
            // Anyone can send these: keep the start, the length and the hash, not megabytes of it.
            record = record with
            {
                Body = record.Body[..options.CurrentValue.MaxRefusedBodyBytes],
                BodyTruncated = true,
                BodyLength = record.Body.Length,
                BodySha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(record.Body)),
            };
        }

        logger.LogInformation("Request {RequestId} for {Provider} refused: {Reason}", record.Id, record.Provider, rejection.Reason);
        try
        {
            await commits.CommitAsync(IngestWrite.Quarantined(record, rejection));
        }
        catch (StorageUnavailableException e)
        {
            logger.LogWarning(e.InnerException, "Storage unavailable; refused request {RequestId} answered 503", record.Id);
            metrics.Rejected(metricProvider, metricAccount, LedgerMetrics.StorageUnavailable, started);
            return Problems.StorageUnavailable();
        }

        metrics.Rejected(metricProvider, metricAccount, rejection.Reason, started);
        return Refused(record.Id, rejection);
    }

    /// <summary>A refusal before the request was known to come from the provider: an unknown route, or failed verification.</summary>
    private static bool RefusedUnauthenticated(Rejection rejection) =>
        rejection.StatusCode == 401 || rejection.Reason is RejectionReasons.UnknownProvider or RejectionReasons.UnknownAccount;

    /// <summary>Provider and account as bounded metric tags, for a request refused before they were resolved.</summary>
    private (string Provider, string Account) MetricNames(LedgerOptions settings, string provider, string? account)
    {
        var adapter = catalog.Find(provider);
        if (adapter is null)
        {
            return (LedgerMetrics.Unknown, LedgerMetrics.Unknown);
        }

        return (adapter.Name, settings.Account(adapter.Name, account)?.Name ?? LedgerMetrics.Unknown);
    }

    /// <summary>The `RequestId` logging scope: one small object, formatted only if a logger shows scopes.</summary>
    private sealed class RequestScope(Guid requestId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("RequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId}";
    }

    private static RawCallback Capture(HttpContext context, byte[] body, DateTimeOffset receivedAt, string? publicBaseUrl)
    {
        var http = context.Request;
        var headers = new List<HeaderEntry>(http.Headers.Count);
        foreach (var (name, values) in http.Headers)
        {
            foreach (var value in values)
            {
                headers.Add(new HeaderEntry(name, value ?? ""));
            }
        }

        var pathAndQuery = $"{http.PathBase}{http.Path}{http.QueryString}";
        var url = string.IsNullOrEmpty(publicBaseUrl)
            ? $"{http.Scheme}://{http.Host}{pathAndQuery}"
            : $"{publicBaseUrl.TrimEnd('/')}{pathAndQuery}";

        return new RawCallback(
            Guid.CreateVersion7(receivedAt),
            http.Method,
            url,
            http.Path.Value ?? "",
            http.QueryString.Value ?? "",
            headers,
            body,
            context.Connection.RemoteIpAddress?.ToString(),
            receivedAt);
    }

    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes, buffered as they arrive: a declared Content-Length sizes the
    /// first buffer up to <see cref="FirstBuffer"/> only (a usual body is read without a copy, and a sender that
    /// announces a megabyte and sends a byte holds 64 KiB); says so when the body was larger or did not arrive
    /// within <paramref name="timeout"/>, returning what came.
    /// </summary>
    private const int FirstBuffer = 64 * 1024;

    private static async Task<(byte[] Body, bool TooLarge, bool TimedOut)> ReadBodyAsync(HttpRequest request, long limit, TimeSpan timeout, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return ([], true, false);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var declared ? (int)Math.Min(declared + 1, Math.Min(limit + 1, FirstBuffer)) : 4 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), deadline.Token);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return (buffer.AsSpan(0, (int)Math.Min(length, 4096)).ToArray(), true, false);
                }
            }

            return (buffer.AsSpan(0, length).ToArray(), false, false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (buffer.AsSpan(0, length).ToArray(), false, true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
