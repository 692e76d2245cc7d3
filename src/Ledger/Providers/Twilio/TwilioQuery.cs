using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Events;
using Ledger.Providers.Aliyun;
using Ledger.Providers.Pull;

namespace Ledger.Providers.Twilio;

/// <summary>
/// Fetches one Message resource, `GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}.json` with
/// Basic auth AccountSid:AuthToken (https://www.twilio.com/docs/messaging/api/message-resource#fetch-a-message-resource).
/// </summary>
/// <remarks>
/// Plain HttpClient rather than the `Twilio` package: the whole call is one GET with Basic auth. The
/// package keeps its client in static state (`TwilioClient.Init`), while this ledger passes an HttpClient
/// in, and it hands back a deserialized `MessageResource`, while the ledger must keep the answer's bytes
/// exactly as received (docs/rules.md rule 9). A dependency that would be worked around twice is not earned.
/// </remarks>
public sealed class TwilioQuery(HttpClient http, TimeProvider? clock = null) : IStatusQuery
{
    public const string ParserVersion = "twilio-pull/1";
    public static readonly Uri DefaultEndpoint = new("https://api.twilio.com/");

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Provider => "twilio";

    /// <summary>The Message resource's URL; the sids are Twilio's own `SM…`/`MM…`/`AC…` identifiers, escaped all the same.</summary>
    public static Uri Url(Uri endpoint, string accountSid, string messageSid) =>
        new(endpoint, $"2010-04-01/Accounts/{Uri.EscapeDataString(accountSid)}/Messages/{Uri.EscapeDataString(messageSid)}.json");

    public static string BasicAuthorization(string accountSid, string authToken) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accountSid}:{authToken}"));

    public async Task<PullAnswer> QueryAsync(PullRequest request, CancellationToken cancellationToken)
    {
        if (request.MessageKeys.Count != 1 || string.IsNullOrWhiteSpace(request.MessageKeys[0]))
        {
            throw new ArgumentException($"A Twilio Message resource is fetched by one MessageSid; {request.MessageKeys.Count} message keys were given.", nameof(request));
        }

        var settings = request.Settings;
        var endpoint = string.IsNullOrWhiteSpace(settings.Endpoint) ? DefaultEndpoint : new Uri(settings.Endpoint);
        var now = _clock.GetUtcNow();
        if (settings.NotReady(Provider, request.Account) is { } notReady)
        {
            return PullHttp.NotSent(Provider, request, "GET", endpoint.ToString(), notReady, now);
        }

        // NotReady checked both (PullSettings.Required).
        var messageSid = request.MessageKeys[0];
        var url = Url(endpoint, settings.AccountSid!, messageSid);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicAuthorization(settings.AccountSid!, settings.AuthToken!));
        message.Headers.Accept.ParseAdd("application/json");
        var (received, transport) = await PullHttp.SendAsync(http, message, _clock, cancellationToken).ConfigureAwait(false);
        var reading = received is null ? null : Read(received.Status, received.Body, messageSid, received.RetryAfter);
        var recorded = new SentRequest("GET", url.ToString(), [new("Accept", "application/json"), new("Authorization", SentRequest.Redacted)], null);
        return PullHttp.Answer(Provider, request, recorded, received, transport, reading, _clock.GetUtcNow());
    }

    /// <summary>
    /// Reads one answer. Errors are `{"code": 20003, "message": "Authenticate", "status": 401, …}`
    /// (https://www.twilio.com/docs/errors/20003); 429 (error 20429) is Twilio's "Too Many Requests".
    /// </summary>
    public static PullReading Read(int httpStatus, byte[] body, string messageSid, TimeSpan? retryAfter = null)
    {
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
        }

        using (document)
        {
            var root = document?.RootElement;
            if (httpStatus is < 200 or > 299)
            {
                var code = root is { ValueKind: JsonValueKind.Object } error ? JsonBatch.Text(error, "code") : null;
                var text = root is { ValueKind: JsonValueKind.Object } e ? JsonBatch.Text(e, "message") : null;
                return httpStatus switch
                {
                    429 => PullReading.Failed(PullErrorKind.Throttled, code ?? "20429", $"Twilio throttled the query (HTTP 429 {text}); ask again later.", retryAfter),
                    401 or 403 => PullReading.Failed(PullErrorKind.Credentials, code ?? httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        $"Twilio refused the credentials (HTTP {httpStatus}, {code}: {text}); check the account's Pull AccountSid and AuthToken."),
                    404 => PullReading.Failed(PullErrorKind.Provider, code ?? "20404", $"Twilio has no message {messageSid} under this account (HTTP 404 {text})."),
                    _ => PullReading.Failed(PullErrorKind.Provider, code, $"Twilio answered HTTP {httpStatus} ({code}: {text})."),
                };
            }

            if (root is not { ValueKind: JsonValueKind.Object } resource)
            {
                return PullReading.Failed(PullErrorKind.Unreadable, null, $"Twilio answered HTTP {httpStatus} with a body that is not a JSON object; a Message resource was expected.");
            }

            return ReadResource(resource) is { } report
                ? new PullReading([report])
                : PullReading.Failed(PullErrorKind.Unreadable, null, "Twilio's answer has no sid and status: it is not a Message resource.");
        }
    }

    /// <summary>
    /// A Message resource. `status` uses the status callback's values, so it maps as the push does
    /// (<see cref="TwilioAdapter.Map"/>); `error_code` is a number or null. The provider time is
    /// `date_updated` (RFC 2822), when the status last changed: the resource has no receipt time of its own.
    /// </summary>
    public static PulledReport? ReadResource(JsonElement resource)
    {
        var sid = JsonBatch.Text(resource, "sid");
        var messageStatus = JsonBatch.Text(resource, "status");
        if (string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(messageStatus))
        {
            return null;
        }

        var (status, final) = TwilioAdapter.Map(messageStatus);
        ProviderTime? time = null;
        if (JsonBatch.Text(resource, "date_updated") is { Length: > 0 } updated)
        {
            AliyunInternationalReport.TryParseRfc2822(updated, out time);
        }

        var report = new Report(
            status,
            final,
            ProviderStatus: messageStatus,
            ErrorCode: JsonBatch.Text(resource, "error_code") is { Length: > 0 } code ? code : null,
            Description: JsonBatch.Text(resource, "error_message") is { Length: > 0 } text ? text : null,
            ProviderTime: time,
            Phone: JsonBatch.Text(resource, "to") is { Length: > 0 } to ? to : null,
            OutId: null,
            BilledParts: SmsParts.Bounded(JsonBatch.Int(resource, "num_segments")),
            ParserVersion);

        // Keyed by the resource's own sid, as the push keys its MessageSid.
        return new PulledReport(sid, resource.GetRawText(), report);
    }
}
