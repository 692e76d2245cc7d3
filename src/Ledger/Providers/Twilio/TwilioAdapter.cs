using System.Security.Cryptography;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Twilio;

/// <summary>
/// Twilio Programmable Messaging status callback
/// (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status): one status change per
/// form-encoded POST, keyed by `MessageSid`, always signed with `X-Twilio-Signature`. Twilio may also post
/// a JSON body, signed through the `bodySHA256` query parameter (<see cref="TwilioSignature"/>); once
/// verified it is read only if it carries the status-callback fields under their form names.
/// </summary>
public sealed class TwilioAdapter : IProviderAdapter, IReplyReader
{
    public string Name => "twilio";

    /// <remarks>twilio/2: JSON bodies signed with bodySHA256 are verified and read; twilio/1 refused every non-form body.</remarks>
    public string ParserVersion => "twilio/2";

    /// <summary>Twilio only looks at the status code: any 2xx is received; the body is ignored.</summary>
    public static readonly ProviderReply Received = ProviderReply.Empty();

    /// <summary>`Options:SignedFragment`: the connection-override fragment the callback URL was registered with, if Twilio signs it.</summary>
    public const string SignedFragmentOption = "SignedFragment";

    /// <summary>
    /// RawDlrDoneDate is the carrier's DLR "done date", `YYMMDDhhmm`, and Twilio says it "does not provide
    /// timezone information" (https://twilio.com/en-us/changelog/addition-of-rawdlrdonedate-to-delivered-and-undelivered-status-webhooks).
    /// </summary>
    public const string RawDlrDoneDateRule = "UTC assumed (Twilio documents no zone for RawDlrDoneDate; the carrier may use local time)";

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, reply: false);

    /// <summary>The incoming-message webhook (<see cref="TwilioReplies"/>): signed like the status callback, verified the same way.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, reply: true);

    private AdapterResult Handle(RawCallback request, ProviderAccount account, bool reply)
    {
        if (account.Secrets.Count == 0)
        {
            // Twilio signs every request, so an unsigned account would only be a misconfiguration.
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                $"No Twilio auth token is configured for {account}: set Ledger__Providers__twilio__{account.Name}__Secrets__0."));
        }

        var contentType = request.ContentType ?? "";
        var isForm = contentType.Contains("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var bodyHashes = isForm ? [] : request.Query.Where(p => string.Equals(p.Key, TwilioSignature.BodyHashParameter, StringComparison.Ordinal)).Select(p => p.Value).ToList();
        if (!isForm && bodyHashes.Count == 0 && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.WrongContentType,
                $"Content-Type '{request.ContentType}' is not application/x-www-form-urlencoded, which Twilio status callbacks use, and the URL carries no {TwilioSignature.BodyHashParameter} that would sign another body.", 400));
        }

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

        var fragment = account.Options.GetValueOrDefault(SignedFragmentOption);
        var body = request.BodyText(account.Charset);
        if (isForm)
        {
            var parameters = FormEncoding.Parse(body);
            if (!TwilioSignature.Verify(presented, request.Url, parameters, algorithm, account.Secrets, fragment))
            {
                return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                    $"{TwilioSignature.Header} does not match. It is computed over the public URL ({request.Url}; set Ledger__PublicBaseUrl when behind a proxy) and every POST parameter, with the account's auth token."));
            }

            return reply ? TwilioReplies.Read(body, name => Value(parameters, name)) : Read(body, name => Value(parameters, name), fromJson: false);
        }

        return VerifyBody(request, body, bodyHashes, presented, algorithm, account.Secrets, fragment, reply);
    }

    /// <summary>
    /// A non-form body: the signature covers the URL, bodySHA256 included, and bodySHA256 covers the
    /// body. Both must hold; a JSON body with no bodySHA256 is covered by nothing and is refused.
    /// </summary>
    private AdapterResult VerifyBody(RawCallback request, string body, List<string> bodyHashes, string presented,
        HashAlgorithmName algorithm, IEnumerable<string> secrets, string? fragment, bool reply)
    {
        if (bodyHashes.Count != 1)
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature, bodyHashes.Count == 0
                ? $"A JSON body from Twilio is signed through the {TwilioSignature.BodyHashParameter} query parameter (hex SHA-256 of the body), and this URL ({request.Url}) has none: nothing covers the body."
                : $"The URL carries {TwilioSignature.BodyHashParameter} {bodyHashes.Count} times; Twilio appends it once."));
        }

        if (!TwilioSignature.Verify(presented, request.Url, [], algorithm, secrets, fragment))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BadSignature,
                $"{TwilioSignature.Header} does not match. For a JSON body it is computed over the public URL alone, {TwilioSignature.BodyHashParameter} included ({request.Url}; set Ledger__PublicBaseUrl when behind a proxy), with the account's auth token."));
        }

        if (!TwilioSignature.VerifyBodyHash(request.Body, bodyHashes[0]))
        {
            return AdapterResult.Reject(Rejection.Unverified(RejectionReasons.BodyHashMismatch,
                $"The body's SHA-256 is not the signed {TwilioSignature.BodyHashParameter} of the URL: the body was changed after Twilio signed it."));
        }

        if (JsonBatch.Parse(body, out var refused) is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return AdapterResult.Reject(Rejection.Malformed("A JSON body from Twilio is read as one object holding the status-callback fields (MessageSid, MessageStatus, …)."));
            }

            var root = document.RootElement;
            return reply ? TwilioReplies.Read(body, name => JsonBatch.Text(root, name)) : Read(body, name => JsonBatch.Text(root, name), fromJson: true);
        }
    }

    /// <summary>
    /// The status-callback fields, by their documented form names, from either body. A JSON body that
    /// does not use those names (another Twilio webhook, e.g. an Event Streams event) is not guessed at:
    /// it is refused for its missing MessageSid and kept in quarantine, verified, for a later parser.
    /// </summary>
    private AdapterResult Read(string body, Func<string, string?> value, bool fromJson)
    {
        var messageSid = value("MessageSid");
        if (string.IsNullOrWhiteSpace(messageSid))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId, !fromJson
                ? "MessageSid is required: it identifies the message."
                : "MessageSid is required: it identifies the message. This verified JSON body has no top-level MessageSid, so it is not a status callback with the documented field names and is kept, not guessed at.", 400));
        }

        ProviderTime? time = null;
        var doneDate = value("RawDlrDoneDate");
        if (!string.IsNullOrEmpty(doneDate))
        {
            // SMPP receipts allow seconds too (YYMMDDhhmmss); accept both rather than lose a final report.
            if (!ProviderTimes.TryParseUtc(doneDate, out time, "yyMMddHHmm", "yyMMddHHmmss"))
            {
                return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"RawDlrDoneDate '{doneDate}' is not YYMMDDhhmm.", 400));
            }

            time = time! with { Rule = RawDlrDoneDateRule };
        }

        var messageStatus = value("MessageStatus");
        var (status, final) = Map(messageStatus);
        var report = new Report(
            status,
            final,
            ProviderStatus: messageStatus,
            ErrorCode: value("ErrorCode") is { Length: > 0 } errorCode ? errorCode : null,
            Description: null,
            ProviderTime: time,
            Phone: value("To") is { Length: > 0 } to ? to : null,
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
