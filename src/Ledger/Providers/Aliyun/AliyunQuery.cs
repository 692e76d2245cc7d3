using System.Globalization;
using System.Text.Json;
using Ledger.Events;
using Ledger.Providers.Pull;
using Ledger.Time;

namespace Ledger.Providers.Aliyun;

/// <summary>
/// dysmsapi `QuerySendDetails` (API version 2017-05-25, https://help.aliyun.com/document_detail/419277.html):
/// the delivery records of one phone number on one Beijing send date, optionally narrowed to one BizId.
/// The answer's `SmsSendDetailDTO` items carry no BizId, so a call asks about exactly one message key
/// `{BizId}:{phone}` (the push adapter's key) and every item read from it belongs to that key.
/// </summary>
public sealed class AliyunQuery(HttpClient http, TimeProvider? clock = null) : IStatusQuery
{
    public const string ParserVersion = "aliyun-pull/1";
    public const string Action = "QuerySendDetails";
    public const string ApiVersion = "2017-05-25";
    public static readonly Uri DefaultEndpoint = new("https://dysmsapi.aliyuncs.com/");

    /// <summary>"取值范围为 1~50": the largest page, so a message needs one call in all but odd cases.</summary>
    public const int PageSize = 50;

    /// <summary>Answer codes that mean "slow down" (user flow control, and the SMS business limit).</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling", "Throttling.User", "Throttling.Api", "isv.BUSINESS_LIMIT_CONTROL",
    };

    /// <summary>Answer codes that mean our AccessKey pair is wrong: unknown or disabled id, or a signature made with another secret.</summary>
    public static readonly IReadOnlySet<string> CredentialCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch",
    };

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Provider => "aliyun";

    /// <summary>One QuerySendDetails call, before signing: the message it is about and the page.</summary>
    public sealed record Ask(string BizId, string Phone, string SendDate, int Page);

    /// <summary>
    /// What <paramref name="request"/> asks, in Alibaba's terms. `SendDate` is the Beijing date of
    /// <see cref="PullRequest.From"/> (docs/providers.md: "Alibaba's SendDate is the Beijing date of sentAt").
    /// </summary>
    public static Ask AskFor(PullRequest request)
    {
        if (request.MessageKeys.Count != 1)
        {
            throw new ArgumentException($"QuerySendDetails answers about one BizId and one phone number; {request.MessageKeys.Count} message keys were given.", nameof(request));
        }

        var key = request.MessageKeys[0];
        var colon = key.LastIndexOf(':');
        if (colon <= 0 || colon == key.Length - 1)
        {
            throw new ArgumentException($"An Alibaba message key is '{{BizId}}:{{phone}}'; '{key}' is not.", nameof(request));
        }

        var sendDate = request.From.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return new Ask(key[..colon], key[(colon + 1)..], sendDate, Math.Max(1, request.Page));
    }

    /// <summary>Every parameter of the call, signature included, in the order they are sent.</summary>
    public static List<KeyValuePair<string, string>> SignedParameters(Ask ask, string accessKeyId, string accessKeySecret, DateTimeOffset now, string nonce)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("AccessKeyId", accessKeyId),
            new("Action", Action),
            new("BizId", ask.BizId),
            new("CurrentPage", ask.Page.ToString(CultureInfo.InvariantCulture)),
            new("Format", "JSON"),
            new("PageSize", PageSize.ToString(CultureInfo.InvariantCulture)),
            new("PhoneNumber", ask.Phone),
            new("RegionId", "cn-hangzhou"),
            new("SendDate", ask.SendDate),
            new("SignatureMethod", AliyunRpcSigner.Method),
            new("SignatureNonce", nonce),
            new("SignatureVersion", AliyunRpcSigner.Version),
            new("Timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new("Version", ApiVersion),
        };
        parameters.Add(new("Signature", AliyunRpcSigner.Sign("GET", parameters, accessKeySecret)));
        return parameters;
    }

    /// <summary>The URL of a GET carrying <paramref name="parameters"/>, encoded as they were signed.</summary>
    public static Uri Url(Uri endpoint, IEnumerable<KeyValuePair<string, string>> parameters) =>
        new(endpoint, "?" + string.Join("&", parameters.Select(p => $"{AliyunRpcSigner.PercentEncode(p.Key)}={AliyunRpcSigner.PercentEncode(p.Value)}")));

    /// <summary>The record of the call: the same URL with the key id and the signature replaced.</summary>
    public static SentRequest Recorded(Uri endpoint, IEnumerable<KeyValuePair<string, string>> parameters) => new("GET",
        Url(endpoint, parameters.Select(p => p.Key is "AccessKeyId" or "Signature" ? new KeyValuePair<string, string>(p.Key, SentRequest.Redacted) : p)).ToString(),
        [], null);

    public async Task<PullAnswer> QueryAsync(PullRequest request, CancellationToken cancellationToken)
    {
        var ask = AskFor(request);
        var settings = request.Settings;
        var endpoint = string.IsNullOrWhiteSpace(settings.Endpoint) ? DefaultEndpoint : new Uri(settings.Endpoint);
        var now = _clock.GetUtcNow();
        if (settings.NotReady(Provider, request.Account) is { } notReady)
        {
            return PullHttp.NotSent(Provider, request, "GET", endpoint.ToString(), notReady, now);
        }

        // NotReady checked both (PullSettings.Required).
        var parameters = SignedParameters(ask, settings.AccessKeyId!, settings.AccessKeySecret!, now, Guid.NewGuid().ToString("N"));
        using var message = new HttpRequestMessage(HttpMethod.Get, Url(endpoint, parameters));
        var (received, transport) = await PullHttp.SendAsync(http, message, _clock, cancellationToken).ConfigureAwait(false);
        var reading = received is null ? null : Read(received.Status, received.Body, ask, received.RetryAfter);
        return PullHttp.Answer(Provider, request, Recorded(endpoint, parameters), received, transport, reading, _clock.GetUtcNow());
    }

    /// <summary>
    /// Reads one answer. Alibaba puts its verdict in `Code` ("OK", or an error code with `Message`)
    /// whatever the HTTP status, so the code decides; the status only matters when there is no code.
    /// </summary>
    public static PullReading Read(int httpStatus, byte[] body, Ask ask, TimeSpan? retryAfter = null)
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
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Unreadable(httpStatus, retryAfter, "is not a JSON object");
            }

            var code = JsonBatch.Text(root, "Code");
            var detail = JsonBatch.Text(root, "Message");
            if (code is null)
            {
                return Unreadable(httpStatus, retryAfter, "has no Code");
            }

            if (code != "OK")
            {
                return Refused(code, detail, retryAfter);
            }

            var reports = new List<PulledReport>();
            if (root.TryGetProperty("SmsSendDetailDTOs", out var dtos) && dtos.ValueKind == JsonValueKind.Object
                && dtos.TryGetProperty("SmsSendDetailDTO", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && ReadItem(item, ask) is { } report)
                    {
                        reports.Add(report);
                    }
                }
            }

            var total = JsonBatch.Int(root, "TotalCount") ?? reports.Count;
            var nextPage = (long)ask.Page * PageSize < total ? ask.Page + 1 : (int?)null;
            return new PullReading(reports, NextPage: nextPage);
        }
    }

    private static PullReading Refused(string code, string? message, TimeSpan? retryAfter)
    {
        if (ThrottlingCodes.Contains(code))
        {
            return PullReading.Failed(PullErrorKind.Throttled, code, $"Alibaba throttled the query ({code}: {message}); ask again later.", retryAfter);
        }

        if (CredentialCodes.Contains(code))
        {
            return PullReading.Failed(PullErrorKind.Credentials, code,
                $"Alibaba refused the AccessKey pair ({code}: {message}); check the account's Pull AccessKeyId and AccessKeySecret, and that the key is enabled.");
        }

        return PullReading.Failed(PullErrorKind.Provider, code, $"Alibaba answered {code}: {message}");
    }

    private static PullReading Unreadable(int httpStatus, TimeSpan? retryAfter, string what) => httpStatus == 429
        ? PullReading.Failed(PullErrorKind.Throttled, null, $"Alibaba answered HTTP 429 with a body that {what}; ask again later.", retryAfter)
        : PullReading.Failed(PullErrorKind.Unreadable, null, $"Alibaba answered HTTP {httpStatus} with a body that {what}; QuerySendDetails answers a JSON object with Code.");

    /// <summary>
    /// One `SmsSendDetailDTO`. SendStatus: 1 等待回执 (waiting), 2 发送失败 (failed), 3 发送成功 (delivered).
    /// `ErrCode` is the carrier's code, `DELIVERED` on success, as the push's `err_code`; ReceiveDate is
    /// Beijing time like the push's `report_time`, so a pulled report reads like the pushed one.
    /// </summary>
    public static PulledReport? ReadItem(JsonElement item, Ask ask)
    {
        var phone = JsonBatch.Text(item, "PhoneNum") is { Length: > 0 } number ? number : ask.Phone;
        var (status, final) = JsonBatch.Int(item, "SendStatus") switch
        {
            3 => (DeliveryStatus.Delivered, true),
            2 => (DeliveryStatus.Failed, true),
            1 => (DeliveryStatus.Pending, false),
            _ => (DeliveryStatus.Unknown, false),
        };

        ProviderTime? time = null;
        if (JsonBatch.Text(item, "ReceiveDate") is { Length: > 0 } receiveDate && !ProviderTimes.TryParseBeijing(receiveDate, out time))
        {
            time = null; // kept raw in the item; an unreadable time must not hide the status
        }

        var errCode = JsonBatch.Text(item, "ErrCode") is { Length: > 0 } e ? e : null;
        var report = new Report(
            status,
            final,
            ProviderStatus: errCode,
            ErrorCode: status == DeliveryStatus.Delivered ? null : errCode,
            Description: null,
            ProviderTime: time,
            Phone: phone,
            OutId: JsonBatch.Text(item, "OutId") is { Length: > 0 } outId ? outId : null,
            BilledParts: null,
            ParserVersion);

        // The key is the one asked about: the answer was narrowed to that BizId, and phone numbers in
        // answers may be masked, so the asked phone keeps the key equal to the push adapter's.
        return new PulledReport($"{ask.BizId}:{ask.Phone}", item.GetRawText(), report);
    }
}
