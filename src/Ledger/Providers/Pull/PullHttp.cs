using System.Net.Http.Headers;

namespace Ledger.Providers.Pull;

/// <summary>
/// The one place a status query meets the network: sends, keeps the answer's bytes exactly as they
/// came, and turns a missing answer into <see cref="PullErrorKind.Transport"/> instead of an exception
/// (whose text could carry a URL). Everything before and after is a provider's pure code.
/// </summary>
public static class PullHttp
{
    /// <summary>An answer as received: status, content type, the body bytes and a Retry-After if one was given.</summary>
    public sealed record Received(int Status, string? ContentType, byte[] Body, TimeSpan? RetryAfter);

    public static async Task<(Received? Answer, PullError? Error)> SendAsync(
        HttpClient http, HttpRequestMessage message, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return (new Received((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body,
                RetryAfter(response.Headers.RetryAfter, clock.GetUtcNow())), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // The exception's own text is not repeated: it can name the URL, and an Alibaba URL carries the signed query.
            return (null, new PullError(PullErrorKind.Transport, null,
                $"No answer from {message.RequestUri?.GetLeftPart(UriPartial.Authority)} ({e.GetType().Name}); the provider API was not reached or did not answer in time."));
        }
    }

    /// <summary>Retry-After as a delay, whether it was sent as seconds or as a date (RFC 9110 section 10.2.3).</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>Composes the answer a client returns from the request it sent and what came back.</summary>
    public static PullAnswer Answer(string provider, PullRequest request, SentRequest sent, Received? received, PullError? transport,
        PullReading? reading, DateTimeOffset receivedAt) => new(
        provider,
        request.Account,
        sent,
        received?.Status,
        received?.ContentType,
        received?.Body ?? [],
        receivedAt,
        PullReading.ByKey(reading?.Reports ?? []),
        transport ?? reading?.Error,
        reading?.RetryAfter ?? received?.RetryAfter,
        reading?.NextPage);

    /// <summary>An answer for a request that was never sent because the account's settings cannot make it.</summary>
    public static PullAnswer NotSent(string provider, PullRequest request, string method, string url, string detail, DateTimeOffset now) =>
        new(provider, request.Account, new SentRequest(method, url, [], null), null, null, [], now,
            new Dictionary<string, IReadOnlyList<PulledReport>>(), new PullError(PullErrorKind.Configuration, null, detail), null, null);
}
