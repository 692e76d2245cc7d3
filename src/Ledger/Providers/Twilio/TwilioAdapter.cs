using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Twilio;

/// <summary>
/// Twilio Programmable Messaging status callback
/// (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status): one status change per
/// form-encoded POST, keyed by `MessageSid`, always signed with `X-Twilio-Signature`.
/// </summary>
public sealed class TwilioAdapter : IProviderAdapter
{
    public string Name => "twilio";

    public string ParserVersion => "twilio/1";

    /// <summary>Twilio only looks at the status code: any 2xx is received; the body is ignored.</summary>
    public static readonly ProviderReply Received = ProviderReply.Empty();

    /// <summary>
    /// RawDlrDoneDate is the carrier's DLR "done date", `YYMMDDhhmm`, and Twilio says it "does not provide
    /// timezone information" (https://twilio.com/en-us/changelog/addition-of-rawdlrdonedate-to-delivered-and-undelivered-status-webhooks).
    /// </summary>
    public const string RawDlrDoneDateRule = "UTC assumed (Twilio documents no zone for RawDlrDoneDate; the carrier may use local time)";

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (account.Secrets.Count == 0)
        {
            // Twilio signs every request, so an unsigned account would only be a misconfiguration.
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                $"No Twilio auth token is configured for {account}: set Ledger__Providers__twilio__{account.Name}__Secrets__0."));
        }

        if (request.ContentType is not { } contentType || !contentType.Contains("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.WrongContentType,
                $"Content-Type '{request.ContentType}' is not application/x-www-form-urlencoded, which Twilio status callbacks always use.", 400));
        }

        var body = request.BodyText(account.Charset);
        var parameters = FormEncoding.Parse(body);

        var presented = request.Header(TwilioSignature.Header);
        if (string.IsNullOrWhiteSpace(presented))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature, $"The {TwilioSignature.Header} header is missing."));
        }

        if (TwilioSignature.Algorithm(request.Header(TwilioSignature.SettingsHeader)) is not { } algorithm)
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                $"{TwilioSignature.SettingsHeader} names an algorithm this ledger does not support (HMAC_SHA1 or HMAC_SHA256)."));
        }

        if (!TwilioSignature.Verify(presented, request.Url, parameters, algorithm, account.Secrets))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                $"{TwilioSignature.Header} does not match. It is computed over the public URL ({request.Url}; set Ledger__PublicBaseUrl when behind a proxy) and every POST parameter, with the account's auth token."));
        }

        var messageSid = Value(parameters, "MessageSid");
        if (string.IsNullOrWhiteSpace(messageSid))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, "MessageSid is required: it identifies the message.", 400));
        }

        ProviderTime? time = null;
        var doneDate = Value(parameters, "RawDlrDoneDate");
        if (!string.IsNullOrEmpty(doneDate))
        {
            // SMPP receipts allow seconds too (YYMMDDhhmmss); accept both rather than lose a final report.
            if (!ProviderTimes.TryParseUtc(doneDate, out time, "yyMMddHHmm", "yyMMddHHmmss"))
            {
                return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"RawDlrDoneDate '{doneDate}' is not YYMMDDhhmm.", 400));
            }

            time = time! with { Rule = RawDlrDoneDateRule };
        }

        var messageStatus = Value(parameters, "MessageStatus");
        var (status, final) = Map(messageStatus);
        var report = new Report(
            status,
            final,
            ProviderStatus: messageStatus,
            ErrorCode: Value(parameters, "ErrorCode") is { Length: > 0 } errorCode ? errorCode : null,
            Description: null,
            ProviderTime: time,
            Phone: Value(parameters, "To") is { Length: > 0 } to ? to : null,
            OutId: null,
            BilledParts: null,
            ParserVersion);

        return new AdapterResult.Accepted([new CallbackItem(messageSid, body, report)], Received);
    }

    /// <summary>
    /// The MessageStatus enum (https://www.twilio.com/docs/messaging/api/message-resource#message-status-values).
    /// `sent` is not final: it can be the last status when the carrier returns no receipt, but a
    /// delivered/undelivered may still follow. `partially_delivered` and new values stay unknown.
    /// </summary>
    public static (DeliveryStatus Status, bool Final) Map(string? messageStatus) => messageStatus?.ToLowerInvariant() switch
    {
        "queued" or "accepted" or "scheduled" or "sending" or "sent" => (DeliveryStatus.Pending, false),
        "delivered" or "read" => (DeliveryStatus.Delivered, true),
        "undelivered" or "failed" or "canceled" => (DeliveryStatus.Failed, true),
        _ => (DeliveryStatus.Unknown, false),
    };

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
}
