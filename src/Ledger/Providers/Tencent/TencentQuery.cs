using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Events;
using Ledger.Providers.Pull;
using Ledger.Time;

namespace Ledger.Providers.Tencent;

/// <summary>
/// Tencent Cloud SMS `PullSmsSendStatusByPhoneNumber` (API 2021-01-11,
/// https://www.tencentcloud.com/document/api/382/40518): the delivery statuses of one phone number sent
/// between BeginTime and EndTime (Unix seconds). Each `PullSmsSendStatusSet` item's `SerialNo` is the
/// push's `sid`, so it is the message key, and one answer may cover messages the caller did not ask about.
/// </summary>
public sealed class TencentQuery(HttpClient http, TimeProvider? clock = null) : IStatusQuery
{
    public const string ParserVersion = "tencent-pull/1";
    public const string Action = "PullSmsSendStatusByPhoneNumber";
    public const string ApiVersion = "2021-01-11";
    public const string Service = "sms";
    public const string DefaultRegion = "ap-guangzhou";
    public const string JsonContentType = "application/json; charset=utf-8";
    public static readonly Uri DefaultEndpoint = new("https://sms.tencentcloudapi.com/");

    /// <summary>"拉取最大条数,最多 100"; Offset is documented as fixed at 0, so there are no further pages.</summary>
    public const int Limit = 100;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Provider => "tencent";

    /// <summary>The JSON body of the call, its fields in a fixed order so the same ask always signs the same bytes.</summary>
    public static string Payload(PullRequest request, string sdkAppId)
    {
        if (string.IsNullOrWhiteSpace(request.Phone))
        {
            throw new ArgumentException("PullSmsSendStatusByPhoneNumber asks about one phone number (E.164, e.g. +8618501234444); none was given.", nameof(request));
        }

        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("BeginTime", request.From.ToUnixTimeSeconds());
            json.WriteNumber("EndTime", request.To.ToUnixTimeSeconds());
            json.WriteNumber("Offset", 0);
            json.WriteNumber("Limit", Limit);
            json.WriteString("PhoneNumber", request.Phone);
            json.WriteString("SmsSdkAppId", sdkAppId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The headers of the call, Authorization last; `content-type` and `host` are the signed ones.</summary>
    public static List<KeyValuePair<string, string>> Headers(Uri endpoint, string secretId, string secretKey, string region, long timestamp, string payload)
    {
        var host = endpoint.Authority;
        var authorization = Tc3Signer.AuthorizePost(secretId, secretKey, timestamp, Service,
            [new("Content-Type", JsonContentType), new("Host", host)], payload);
        return
        [
            new("Host", host),
            new("X-TC-Action", Action),
            new("X-TC-Version", ApiVersion),
            new("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            new("X-TC-Region", region),
            new("Authorization", authorization),
        ];
    }

    public async Task<PullAnswer> QueryAsync(PullRequest request, CancellationToken cancellationToken)
    {
        var settings = request.Settings;
        var endpoint = string.IsNullOrWhiteSpace(settings.Endpoint) ? DefaultEndpoint : new Uri(settings.Endpoint);
        var now = _clock.GetUtcNow();
        if (settings.NotReady(Provider, request.Account) is { } notReady)
        {
            return PullHttp.NotSent(Provider, request, "POST", endpoint.ToString(), notReady, now);
        }

        // NotReady checked all three (PullSettings.Required); Region has a default.
        var payload = Payload(request, settings.SdkAppId!);
        var headers = Headers(endpoint, settings.SecretId!, settings.SecretKey!,
            string.IsNullOrWhiteSpace(settings.Region) ? DefaultRegion : settings.Region, now.ToUnixTimeSeconds(), payload);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload)) { Headers = { ContentType = MediaTypeHeaderValue.Parse(JsonContentType) } },
        };
        foreach (var (name, value) in headers)
        {
            if (name == "Host")
            {
                message.Headers.Host = value;
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var (received, transport) = await PullHttp.SendAsync(http, message, _clock, cancellationToken).ConfigureAwait(false);
        var reading = received is null ? null : Read(received.Status, received.Body, received.RetryAfter);
        var recorded = new SentRequest("POST", endpoint.ToString(),
            [new("Content-Type", JsonContentType), .. headers.Select(h => h.Key == "Authorization" ? new KeyValuePair<string, string>(h.Key, SentRequest.Redacted) : h)],
            payload);
        return PullHttp.Answer(Provider, request, recorded, received, transport, reading, _clock.GetUtcNow());
    }

    /// <summary>
    /// Reads one answer: `{"Response": {"PullSmsSendStatusSet": [...], "RequestId": …}}`, or
    /// `{"Response": {"Error": {"Code", "Message"}, "RequestId": …}}` (API 3.0 answers errors with HTTP 200).
    /// </summary>
    public static PullReading Read(int httpStatus, byte[] body, TimeSpan? retryAfter = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Unreadable(httpStatus, retryAfter, "is not JSON");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Response", out var response) || response.ValueKind != JsonValueKind.Object)
            {
                return Unreadable(httpStatus, retryAfter, "has no Response object");
            }

            if (response.TryGetProperty("Error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return Refused(JsonBatch.Text(error, "Code") ?? "", JsonBatch.Text(error, "Message"), retryAfter);
            }

            var reports = new List<PulledReport>();
            if (response.TryGetProperty("PullSmsSendStatusSet", out var set) && set.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in set.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && ReadItem(item) is { } report)
                    {
                        reports.Add(report);
                    }
                }
            }

            return new PullReading(reports);
        }
    }

    /// <summary>
    /// API 3.0 common error codes (listed under "Error Codes" beside each API page):
    /// `RequestLimitExceeded` (and its sub-codes) is throttling, every `AuthFailure.*` is our credentials.
    /// </summary>
    private static PullReading Refused(string code, string? message, TimeSpan? retryAfter)
    {
        if (code == "RequestLimitExceeded" || code.StartsWith("RequestLimitExceeded.", StringComparison.Ordinal))
        {
            return PullReading.Failed(PullErrorKind.Throttled, code, $"Tencent throttled the query ({code}: {message}); ask again later.", retryAfter);
        }

        if (code.StartsWith("AuthFailure", StringComparison.Ordinal))
        {
            return PullReading.Failed(PullErrorKind.Credentials, code,
                $"Tencent refused the credentials ({code}: {message}); check the account's Pull SecretId and SecretKey, and the machine's clock (signatures expire after 5 minutes).");
        }

        return PullReading.Failed(PullErrorKind.Provider, code, $"Tencent answered {code}: {message}");
    }

    private static PullReading Unreadable(int httpStatus, TimeSpan? retryAfter, string what) => httpStatus == 429
        ? PullReading.Failed(PullErrorKind.Throttled, null, $"Tencent answered HTTP 429 with a body that {what}; ask again later.", retryAfter)
        : PullReading.Failed(PullErrorKind.Unreadable, null, $"Tencent answered HTTP {httpStatus} with a body that {what}; API 3.0 answers a JSON object with Response.");

    /// <summary>
    /// One `PullSmsSendStatus`. ReportStatus SUCCESS/FAIL as the push's `report_status`; `Description`
    /// holds the carrier's receipt code in the documented examples ("DELIVRD"), the push's `errmsg`, so it
    /// is the error code as well as the description; UserReceiveTime is Unix seconds, not the push's string.
    /// </summary>
    public static PulledReport? ReadItem(JsonElement item)
    {
        if (JsonBatch.Text(item, "SerialNo") is not { Length: > 0 } serialNo)
        {
            return null;
        }

        var reportStatus = JsonBatch.Text(item, "ReportStatus");
        var (status, final) = reportStatus?.ToUpperInvariant() switch
        {
            "SUCCESS" => (DeliveryStatus.Delivered, true),
            "FAIL" => (DeliveryStatus.Failed, true),
            _ => (DeliveryStatus.Unknown, false),
        };

        ProviderTimes.TryParseEpochSeconds(JsonBatch.Text(item, "UserReceiveTime"), out var time);
        var description = JsonBatch.Text(item, "Description") is { Length: > 0 } d ? d : null;
        var phone = JsonBatch.Text(item, "PhoneNumber") is { Length: > 0 } e164 ? e164
            : JsonBatch.Text(item, "SubscriberNumber") is { Length: > 0 } number
                ? JsonBatch.Text(item, "CountryCode") is { Length: > 0 } country ? $"+{country}{number}" : number
                : null;

        var report = new Report(
            status,
            final,
            ProviderStatus: reportStatus,
            ErrorCode: description,
            Description: description,
            ProviderTime: time,
            Phone: phone,
            OutId: JsonBatch.Text(item, "SessionContext") is { Length: > 0 } context ? context : null,
            BilledParts: null,
            ParserVersion);

        return new PulledReport(serialNo, item.GetRawText(), report);
    }
}
