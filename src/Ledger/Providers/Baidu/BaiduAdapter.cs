using System.Globalization;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Baidu;

/// <summary>
/// Baidu AI Cloud SMS status callback (https://cloud.baidu.com/doc/SMS/s/Fkijy9cdv): a JSON report with
/// headers `requestId`, `timestamp` (epoch ms) and `signature = md5(token + timestamp + body)`.
/// `messageId` identifies the message. The token is the account's secret (`Secrets`, any of which verifies).
/// </summary>
public sealed class BaiduAdapter : IProviderAdapter, IReplyReader
{
    public string Name => "baidu";

    /// <remarks>baidu/2: deliverTime as epoch milliseconds (number or digits) is read; baidu/1 refused it as bad_time.</remarks>
    public string ParserVersion => "baidu/2";

    /// <summary>"响应参数由业务方自定义…Status为200表示回调成功": only the status matters.</summary>
    public static readonly ProviderReply Received = ProviderReply.Empty();

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, now, reply: false);

    /// <summary>The upstream push (<see cref="BaiduReplies"/>): "HTTP Header 参考状态回调", so signed and checked the same way.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, now, reply: true);

    private AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now, bool reply)
    {
        if (account.Secrets.All(string.IsNullOrEmpty))
        {
            // Baidu leaves an empty token out of the signature, but an unsigned Baidu route would accept
            // anyone's reports: refuse until the token is configured.
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                $"No Baidu token is configured for this account; set Ledger__Providers__baidu__{account.Name}__Secrets__0 to the callback token."));
        }

        var signature = request.Header("signature");
        var timestamp = request.Header("timestamp");
        if (string.IsNullOrWhiteSpace(signature) || string.IsNullOrWhiteSpace(timestamp))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                "The signature and timestamp headers are both required: Baidu signs md5(token + timestamp + body)."));
        }

        if (!BaiduSignature.Verify(account.Secrets, timestamp, request.Body, signature))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                "The signature does not match md5(token + timestamp + body) for any configured token of this account."));
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var millis)
            || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.StaleTimestamp,
                $"The timestamp header '{timestamp}' is not epoch milliseconds."));
        }

        var skew = (now - DateTimeOffset.FromUnixTimeMilliseconds(millis)).Duration();
        if (!account.IgnoresTimestamp && skew > TimeSpan.FromSeconds(account.TimestampToleranceSeconds))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.StaleTimestamp,
                $"The signed timestamp is {skew.TotalSeconds:F0} s away from our clock; at most {account.TimestampToleranceSeconds} s are accepted (TimestampToleranceSeconds)."));
        }

        return reply ? BaiduReplies.Read(request.BodyText(account.Charset), Received) : ReadBody(request.BodyText(account.Charset));
    }

    /// <summary>
    /// The page shows one report per push; the reference marks "no batch" as inferred, so a JSON array of
    /// such reports is read too (reference: design for both readings).
    /// </summary>
    private AdapterResult ReadBody(string body)
    {
        if (JsonBatch.Parse(body, out var refused) is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                return AdapterResult.Reject(Rejection.Malformed("The body must be a JSON report object."));
            }

            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > BatchItems.MaxItems)
            {
                return AdapterResult.Reject(BatchItems.TooMany(root.GetArrayLength()));
            }

            IEnumerable<JsonElement> elements = root.ValueKind == JsonValueKind.Object ? [root] : root.EnumerateArray().ToList();
            var batch = new BatchItems(isBatch: root.ValueKind == JsonValueKind.Array);
            var index = 0;
            foreach (var element in elements)
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    batch.Refuse(index, Rejection.Malformed("The item is not a JSON object."), element.GetRawText());
                }
                else
                {
                    var current = element;
                    batch.Read(index, element.GetRawText(), (out Rejection? rejection) => ReadItem(current, out rejection));
                }

                index++;
            }

            return batch.Result(Received);
        }
    }

    /// <summary>`code`: "0" sent successfully, "2" failed (the only two documented); any other is kept as unknown.</summary>
    public static (DeliveryStatus Status, bool Final) Interpret(string? code) => code switch
    {
        "0" => (DeliveryStatus.Delivered, true),
        "2" => (DeliveryStatus.Failed, true),
        _ => (DeliveryStatus.Unknown, false),
    };

    private CallbackItem? ReadItem(JsonElement item, out Rejection? rejection)
    {
        rejection = null;
        var messageId = JsonBatch.Text(item, "messageId");
        if (string.IsNullOrWhiteSpace(messageId))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "messageId is required: it identifies the message.", 400);
            return null;
        }

        // deliverTime is the report's own time; requestTime (when the send was requested) is the same
        // for every report of a message, so it orders nothing and stays in the raw item only.
        if (!TryReadTime(item, "deliverTime", out var time, out rejection))
        {
            return null;
        }

        var code = JsonBatch.Text(item, "code");
        var carrierCode = JsonBatch.Text(item, "carrierCode");
        var (status, final) = Interpret(code);

        var report = new Report(
            status,
            final,
            ProviderStatus: code,
            ErrorCode: status == DeliveryStatus.Delivered || string.IsNullOrEmpty(carrierCode) ? null : carrierCode, // 运营商原生状态码
            Description: null,
            ProviderTime: time,
            Phone: JsonBatch.Text(item, "mobile") is { Length: > 0 } mobile ? mobile : null,
            OutId: JsonBatch.Text(item, "custom") is { Length: > 0 } custom ? custom : null,
            BilledParts: SmsParts.Bounded(JsonBatch.Int(item, "segmentCount")),
            ParserVersion);

        return new CallbackItem(messageId, item.GetRawText(), report);
    }

    /// <summary>
    /// A Baidu time field (https://cloud.baidu.com/doc/SMS/s/Fkijy9cdv: "deliverTime String 抵达时间，UTC时间",
    /// "requestTime String 请求时间，UTC时间"; the page shows no example value). Three shapes are read: a
    /// formatted string, a JSON number of epoch milliseconds, and epoch milliseconds as a numeric string
    /// (the shape of Baidu's own `timestamp` header). Missing, null or empty: no time. Anything else is
    /// refused as bad_time, like an unreadable string always was: the request is kept in quarantine with
    /// its body, Baidu retries it (non-200), and a replay after a parser fix can rescue it.
    /// </summary>
    private static bool TryReadTime(JsonElement item, string name, out ProviderTime? time, out Rejection? rejection)
    {
        time = null;
        rejection = null;
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.String && string.IsNullOrEmpty(JsonText.String(value))))
        {
            return true;
        }

        var read = value.ValueKind switch
        {
            // The number's text as sent is the raw value; a fraction or exponent is not epoch milliseconds.
            JsonValueKind.Number => ProviderTimes.TryParseEpochMilliseconds(value.GetRawText(), out time),
            JsonValueKind.String => TryParseText(JsonText.String(value), out time),
            _ => false,
        };
        if (!read)
        {
            var raw = value.ValueKind == JsonValueKind.String ? JsonText.String(value) : value.GetRawText();
            rejection = new Rejection(RejectionReasons.BadTime,
                $"{name} '{raw}' is not a time this parser knows: a UTC time ('yyyy-MM-dd HH:mm:ss', ISO 8601) or epoch milliseconds (a number or a string of digits, from 1973 on).", 400);
        }

        return read;
    }

    /// <summary>
    /// Formatted first, so that a 14-digit `yyyyMMddHHmmss` stays a date; any other string of digits is
    /// epoch milliseconds. Zone-less formatted values are read as UTC (the page says UTC), values that
    /// carry `Z` or an offset keep it.
    /// </summary>
    private static bool TryParseText(string raw, out ProviderTime? time)
    {
        if (TryParseFormatted(raw, out time))
        {
            return true;
        }

        return ProviderTimes.TryParseEpochMilliseconds(raw, out time);
    }

    private static bool TryParseFormatted(string raw, out ProviderTime? time)
    {
        if (ProviderTimes.TryParseUtc(raw, out time, "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'",
                "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyyMMddHHmmss"))
        {
            return true;
        }

        if (DateTimeOffset.TryParseExact(raw.Trim(), ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
        {
            time = new ProviderTime(raw, withOffset.ToUniversalTime(), ProviderTimes.OffsetRule);
            return true;
        }

        return false;
    }
}
