using System.Buffers;
using Ledger.Ingest;
using Ledger.Providers;
using Microsoft.Extensions.Options;

namespace Ledger.Web.Ingest;

/// <summary>
/// The edge of the ingest path: reads the request exactly as it came (size-limited), hands it to the
/// provider's adapter, commits what the adapter produced through the group-commit queue, and only then
/// answers with the reply the provider expects. Refused requests are kept in quarantine.
/// </summary>
public sealed class CallbackReception(ProviderCatalog catalog, CommitQueue commits, NonceLedger nonces, IOptionsMonitor<LedgerOptions> options, TimeProvider clock, ILogger<CallbackReception> logger)
{
    public async Task<IResult> ReceiveAsync(HttpContext context, string provider, string? account)
    {
        var settings = options.CurrentValue;
        var receivedAt = clock.GetUtcNow();
        var (body, tooLarge) = await ReadBodyAsync(context.Request, settings.MaxBodyBytes, context.RequestAborted);
        var request = Capture(context, body, receivedAt, settings.PublicBaseUrl);
        var record = RawRequestRecord.From(request, provider.ToLowerInvariant(), account);

        if (tooLarge)
        {
            return await QuarantineAsync(record with { BodyTruncated = true }, new Rejection(RejectionReasons.TooLarge,
                $"The body is larger than the {settings.MaxBodyBytes} bytes this ledger accepts (Ledger__MaxBodyBytes).", 413));
        }

        var adapter = catalog.Find(provider);
        if (adapter is null)
        {
            return await QuarantineAsync(record, new Rejection(RejectionReasons.UnknownProvider,
                $"No provider is called '{provider}'. Known providers: {string.Join(", ", catalog.Names.Order())}.", 404));
        }

        var accountSettings = settings.Account(adapter.Name, account);
        if (accountSettings is null)
        {
            return await QuarantineAsync(record with { Provider = adapter.Name }, new Rejection(RejectionReasons.UnknownAccount,
                $"Provider '{adapter.Name}' has no account '{account}' configured (Ledger__Providers__{adapter.Name}__{account}__…).", 404));
        }

        var accountName = accountSettings.Name;
        record = record with { Provider = adapter.Name, Account = accountName };
        AdapterResult result;
        try
        {
            result = adapter.Handle(request, accountSettings, receivedAt);
        }
        catch (Exception e)
        {
            // An adapter bug must not lose the request: keep it as evidence and let the provider retry.
            logger.LogError(e, "Adapter {Provider} failed on request {RequestId}", adapter.Name, request.RequestId);
            return await QuarantineAsync(record, new Rejection(RejectionReasons.Malformed, "The report could not be read by this ledger's parser.", 400));
        }

        if (result is AdapterResult.Accepted { Nonce: { } nonce })
        {
            bool fresh;
            try
            {
                fresh = await nonces.TryUseAsync($"{adapter.Name}/{accountName}", nonce.Value, nonce.ExpiresAt, context.RequestAborted);
            }
            catch (Exception e) when (CommitQueue.IsStorageUnavailable(e))
            {
                return Problems.StorageUnavailable();
            }

            if (!fresh)
            {
                return await QuarantineAsync(record, Rejection.Unverified(RejectionReasons.ReusedNonce,
                    "This nonce was already used within the signature's time window; a replayed request is refused."));
            }
        }

        return result switch
        {
            AdapterResult.Accepted accepted => await CommitAsync(IngestWrite.Accepted(request, adapter.Name, accountName, accepted.Items), accepted.Reply),
            AdapterResult.Probe probe => await CommitAsync(IngestWrite.Probe(request, adapter.Name, accountName), probe.Reply),
            AdapterResult.Rejected rejected => await QuarantineAsync(record, rejected.Rejection),
            _ => throw new InvalidOperationException($"Unexpected adapter result {result.GetType().Name}"),
        };
    }

    private async Task<IResult> CommitAsync(IngestWrite write, ProviderReply reply)
    {
        try
        {
            await commits.CommitAsync(write);
        }
        catch (StorageUnavailableException e)
        {
            logger.LogWarning(e.InnerException, "Storage unavailable; request {RequestId} answered 503", write.Record.Id);
            return Problems.StorageUnavailable();
        }

        return Results.Text(reply.Body, reply.ContentType, statusCode: reply.StatusCode);
    }

    private async Task<IResult> QuarantineAsync(RawRequestRecord record, Rejection rejection)
    {
        logger.LogInformation("Request {RequestId} for {Provider} refused: {Reason}", record.Id, record.Provider, rejection.Reason);
        try
        {
            await commits.CommitAsync(IngestWrite.Quarantined(record, rejection));
        }
        catch (StorageUnavailableException e)
        {
            logger.LogWarning(e.InnerException, "Storage unavailable; refused request {RequestId} answered 503", record.Id);
            return Problems.StorageUnavailable();
        }

        return Results.Problem(
            detail: rejection.Detail,
            statusCode: rejection.StatusCode,
            title: rejection.Reason,
            type: $"urn:callback-ledger:rejection:{rejection.Reason}",
            extensions: new Dictionary<string, object?> { ["requestId"] = record.Id, ["reason"] = rejection.Reason });
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

    /// <summary>Reads at most <paramref name="limit"/> bytes; says so when the body was larger.</summary>
    private static async Task<(byte[] Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return ([], true);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var n ? (int)Math.Min(n + 1, limit + 1) : 16 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return (buffer.AsSpan(0, (int)Math.Min(length, 4096)).ToArray(), true);
                }
            }

            return (buffer.AsSpan(0, length).ToArray(), false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
