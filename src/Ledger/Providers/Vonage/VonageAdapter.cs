using System.Globalization;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Vonage;

/// <summary>
/// Vonage (Nexmo) SMS API delivery receipt (https://developer.vonage.com/messaging/sms/guides/delivery-receipts):
/// one receipt per request, keyed by `messageId` (each part of a long SMS has its own). The dashboard's
/// "HTTP Method" setting picks GET (query), POST (form) or POST-JSON, so all three are read.
/// An account with secrets requires Vonage's signature; one without is protected by UnsignedGuard.
/// </summary>
public sealed class VonageAdapter : IProviderAdapter, IReplyReader
{
    public string Name => "vonage";

    public string ParserVersion => "vonage/1";

    /// <summary>Vonage retries only on 429/5xx; any 200/204 is received. The body is ignored.</summary>
    public static readonly ProviderReply Received = ProviderReply.Empty();

    /// <summary>
    /// "The time when Nexmo started to push this Delivery Receipt", `yyyy-MM-dd HH:mm:ss`. UTC is inferred:
    /// in Vonage's own example it reads 12:10 while `scts` (UK carrier, BST) reads 13:10.
    /// </summary>
    public const string MessageTimestampRule = "UTC (Vonage message-timestamp; no zone in the value, UTC inferred from Vonage's example)";

    /// <summary>`scts` (YYMMDDHHMM) is the carrier's time and carries no zone; used only without message-timestamp.</summary>
    public const string SctsRule = "UTC assumed (Vonage scts is the carrier's time with no zone; it may be carrier-local)";

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, now, reply: false);

    /// <summary>The inbound-SMS webhook (<see cref="VonageReplies"/>): same methods, same signature and nonce checks as receipts.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, now, reply: true);

    private AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now, bool reply)
    {
        if (account.Secrets.Count == 0 && UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        var (parameters, rawItem, unreadable) = ReadParameters(request, account);
        if (unreadable is not null)
        {
            return AdapterResult.Reject(unreadable);
        }

        NonceClaim? nonce = null;
        if (account.Secrets.Count > 0 && Verify(parameters, account, now, out nonce) is { } unverified)
        {
            return AdapterResult.Reject(unverified);
        }

        if (reply)
        {
            return VonageReplies.Read(name => Value(parameters, name), rawItem, Received, nonce);
        }

        var messageId = Value(parameters, "messageId");
        if (string.IsNullOrWhiteSpace(messageId))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, "messageId is required: it identifies the message.", 400));
        }

        if (ReadTime(parameters, out var time) is { } badTime)
        {
            return AdapterResult.Reject(badTime);
        }

        var providerStatus = Value(parameters, "status");
        var (status, final) = Map(providerStatus);
        var errCode = Value(parameters, "err-code");
        var report = new Report(
            status,
            final,
            ProviderStatus: providerStatus,
            // err-code "0" means no error (https://developer.vonage.com/messaging/sms/guides/delivery-receipts, DLR error codes).
            ErrorCode: string.IsNullOrEmpty(errCode) || errCode == "0" ? null : errCode,
            Description: null,
            ProviderTime: time,
            Phone: NullIfEmpty(Value(parameters, "msisdn")),
            OutId: NullIfEmpty(Value(parameters, "client-ref")),
            BilledParts: null,
            ParserVersion);

        return new AdapterResult.Accepted([new CallbackItem(messageId, rawItem, report)], Received, nonce);
    }

    /// <summary>Intermediate: accepted, buffered. Final: delivered, expired, failed, rejected. Anything else (e.g. `unknown`) is unknown.</summary>
    public static (DeliveryStatus Status, bool Final) Map(string? status) => status?.ToLowerInvariant() switch
    {
        "accepted" or "buffered" => (DeliveryStatus.Pending, false),
        "delivered" => (DeliveryStatus.Delivered, true),
        "expired" or "failed" or "rejected" => (DeliveryStatus.Failed, true),
        _ => (DeliveryStatus.Unknown, false),
    };

    private static Rejection? Verify(IReadOnlyList<KeyValuePair<string, string>> parameters, ProviderAccount account, DateTimeOffset now, out NonceClaim? nonce)
    {
        nonce = null;
        var method = string.IsNullOrWhiteSpace(account.SignatureMethod) ? VonageSignature.DefaultMethod : account.SignatureMethod.Trim();
        if (!VonageSignature.IsSupported(method))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"Ledger__Providers__vonage__{account.Name}__SignatureMethod '{method}' is not one of {string.Join(", ", VonageSignature.Methods)}.");
        }

        var sig = Value(parameters, "sig");
        if (string.IsNullOrWhiteSpace(sig))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"The request carries no sig, but {account} requires Vonage signed webhooks (it has secrets configured).");
        }

        // The timestamp is part of the signed text, so it is checked once the signature holds.
        var timestampText = Value(parameters, "timestamp");
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            return Rejection.Unverified(RejectionReasons.StaleTimestamp, "A signed Vonage request must carry timestamp in UNIX seconds.");
        }

        if (!VonageSignature.Verify(sig, method, parameters, account.Secrets))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"sig does not match ({method} over every parameter but sig, with the account's signature secret; a signature secret is not the API secret).");
        }

        DateTimeOffset signedAt;
        try
        {
            signedAt = DateTimeOffset.FromUnixTimeSeconds(epoch);
        }
        catch (ArgumentOutOfRangeException)
        {
            return Rejection.Unverified(RejectionReasons.StaleTimestamp, $"timestamp {timestampText} is not a plausible UNIX time.");
        }

        var tolerance = TimeSpan.FromSeconds(account.TimestampToleranceSeconds);
        if ((now - signedAt).Duration() > tolerance)
        {
            return Rejection.Unverified(RejectionReasons.StaleTimestamp,
                $"timestamp {signedAt:O} is more than {account.TimestampToleranceSeconds} s from this ledger's clock ({now:O}) (Ledger__Providers__vonage__{account.Name}__TimestampToleranceSeconds).");
        }

        // Vonage also signs a `nonce`: claimed until the timestamp would be stale, so a replay inside the
        // window is refused too.
        if (Value(parameters, "nonce") is { Length: > 0 } signedNonce)
        {
            nonce = new NonceClaim(signedNonce, signedAt + tolerance);
        }

        return null;
    }

    private static Rejection? ReadTime(IReadOnlyList<KeyValuePair<string, string>> parameters, out ProviderTime? time)
    {
        time = null;
        if (Value(parameters, "message-timestamp") is { Length: > 0 } pushedAt)
        {
            if (!ProviderTimes.TryParseUtc(pushedAt, out time, "yyyy-MM-dd HH:mm:ss"))
            {
                return new Rejection(RejectionReasons.BadTime, $"message-timestamp '{pushedAt}' is not 'yyyy-MM-dd HH:mm:ss'.", 400);
            }

            time = time! with { Rule = MessageTimestampRule };
            return null;
        }

        if (Value(parameters, "scts") is { Length: > 0 } scts)
        {
            if (!ProviderTimes.TryParseUtc(scts, out time, "yyMMddHHmm"))
            {
                return new Rejection(RejectionReasons.BadTime, $"scts '{scts}' is not YYMMDDHHMM.", 400);
            }

            time = time! with { Rule = SctsRule };
        }

        return null;
    }

    /// <summary>The receipt's fields as (name, value) pairs, and the raw text of the item.</summary>
    private static (IReadOnlyList<KeyValuePair<string, string>> Parameters, string RawItem, Rejection? Unreadable) ReadParameters(RawCallback request, ProviderAccount account)
    {
        if (request.Method == "GET")
        {
            return (request.Query, request.QueryString.TrimStart('?'), null);
        }

        var contentType = request.ContentType ?? "";
        var body = request.BodyText(account.Charset);
        if (contentType.Contains("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (FormEncoding.Parse(body), body, null);
        }

        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return ([], body, new Rejection(RejectionReasons.WrongContentType,
                $"Content-Type '{contentType}' is neither application/x-www-form-urlencoded nor application/json, the two bodies Vonage posts.", 400));
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ([], body, Rejection.Malformed("The body must be one JSON object: Vonage sends one receipt per request."));
            }

            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Vonage sends every field as a string; numbers and booleans are kept as written.
                var value = property.Value.ValueKind == JsonValueKind.String ? JsonText.String(property.Value) : property.Value.GetRawText();
                pairs.Add(new(property.Name, value));
            }

            return (pairs, body, null);
        }
        catch (JsonException e)
        {
            return ([], body, Rejection.Malformed($"The body is not valid JSON: {e.Message}"));
        }
    }

    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> parameters, string name)
    {
        foreach (var (key, value) in parameters)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
