using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Providers.Generic;

/// <summary>
/// One account's generic signing and field scheme, read from `account.Options`
/// (`Ledger__Providers__generic__{account}__Options__{Name}`). Every option has a default, so an account
/// needs only its `Secrets` (and usually `SignatureMethod`) to work with a CMPP-style gateway:
///
/// Fields: `IdField` (msgid), `StatusField` (stat), `TimeField` (done_time), `TimeFormat` (.NET exact
/// formats separated by `|`, or `epoch`; default `yyMMddHHmm|yyyyMMddHHmmss|yyyy-MM-dd HH:mm:ss`),
/// `TimeZone` (+08:00; or `UTC`, or any ±hh:mm), `PhoneField` (mobile), `OutIdField` (out_id),
/// `PartsField` (parts). Status: `DeliveredValues` (DELIVRD,DELIVERED,0) and `PendingValues`
/// (ENROUTE,ACCEPTD,SENT), compared ignoring case; any other value is a final failure carried as the
/// error code, and a missing status is unknown and not final.
///
/// Signature: `SignatureMethod` (account key, not an option: md5 | hmac-sha1 | hmac-sha256, default
/// hmac-sha256), `SignatureEncoding` (hex | base64), `StringToSign` (sorted-params | raw-body),
/// `SignedHeaders` (X-Timestamp,X-Nonce; `none` for none), `SignatureHeader` (X-Signature) or
/// `SignatureParam` (a body parameter, e.g. `sign`, which then takes precedence over the header),
/// `TimestampHeader` (X-Timestamp) and `NonceHeader` (X-Nonce), each `none` to switch it off,
/// `JsonValues` (raw: a JSON value signs as its token text, quotes included | unquoted; see
/// <see cref="GenericBody"/>), `VerifyMode` (strict | ignore-timestamp). Reply: `Reply` (OK, text/plain, 200).
/// </summary>
public sealed record GenericScheme(
    string IdField,
    string StatusField,
    string TimeField,
    IReadOnlyList<string> TimeFormats,
    TimeSpan TimeOffset,
    string? PhoneField,
    string? OutIdField,
    string? PartsField,
    IReadOnlySet<string> DeliveredValues,
    IReadOnlySet<string> PendingValues,
    string SignatureMethod,
    bool Base64,
    bool RawBody,
    bool UnquoteJsonStrings,
    IReadOnlyList<string> SignedHeaders,
    string SignatureHeader,
    string? SignatureParam,
    string? TimestampHeader,
    string? NonceHeader,
    bool IgnoreTimestamp,
    ProviderReply Reply)
{
    public const string Md5 = "md5";
    public const string HmacSha1 = "hmac-sha1";
    public const string HmacSha256 = "hmac-sha256";

    /// <summary>`epoch` as TimeFormat: seconds or milliseconds since 1970, told apart by magnitude.</summary>
    public const string EpochFormat = "epoch";

    /// <summary>CMPP's Done_time is `YYMMDDHHMM` (sms-providers.md §0); gateways that re-format it use the other two.</summary>
    private static readonly string[] DefaultTimeFormats = ["yyMMddHHmm", "yyyyMMddHHmmss", "yyyy-MM-dd HH:mm:ss"];

    private static readonly Regex Offset = new(@"^([+-])(\d{2}):?(\d{2})$", RegexOptions.CultureInvariant);

    /// <summary>The time zone rule stamped on every parsed time (PRODUCT.md rule 6).</summary>
    public string TimeRule => TimeOffset == TimeSpan.Zero
        ? "UTC (account option TimeZone, no zone in the value)"
        : $"UTC{(TimeOffset < TimeSpan.Zero ? "-" : "+")}{TimeOffset:hh\\:mm} (account option TimeZone, no zone in the value)";

    public static bool TryRead(ProviderAccount account, out GenericScheme scheme, out Rejection? rejection)
    {
        scheme = null!;
        rejection = null;
        string Key(string option) => $"Ledger__Providers__generic__{account.Name}__Options__{option}";

        var method = (account.SignatureMethod ?? HmacSha256).Trim().ToLowerInvariant();
        if (method is not (Md5 or HmacSha1 or HmacSha256))
        {
            rejection = Rejection.Unverified(RejectionReasons.BadSignature,
                $"SignatureMethod '{account.SignatureMethod}' is not md5, hmac-sha1 or hmac-sha256 (Ledger__Providers__generic__{account.Name}__SignatureMethod).");
            return false;
        }

        var encoding = (Option(account, "SignatureEncoding") ?? "hex").ToLowerInvariant();
        if (encoding is not ("hex" or "base64"))
        {
            rejection = Rejection.Unverified(RejectionReasons.BadSignature, $"SignatureEncoding '{encoding}' is not hex or base64 ({Key("SignatureEncoding")}).");
            return false;
        }

        var stringToSign = (Option(account, "StringToSign") ?? "sorted-params").ToLowerInvariant();
        if (stringToSign is not ("sorted-params" or "raw-body"))
        {
            rejection = Rejection.Unverified(RejectionReasons.BadSignature, $"StringToSign '{stringToSign}' is not sorted-params or raw-body ({Key("StringToSign")}).");
            return false;
        }

        var signatureParam = Switchable(account, "SignatureParam", null);
        if (signatureParam is not null && stringToSign == "raw-body")
        {
            // The signature cannot be part of the bytes it signs; we do not guess how a sender removed it.
            rejection = Rejection.Unverified(RejectionReasons.BadSignature,
                $"A signature carried in the body ({Key("SignatureParam")}) cannot sign the raw body; use sorted-params or SignatureHeader.");
            return false;
        }

        var zone = Option(account, "TimeZone") ?? "+08:00";
        TimeSpan offset;
        if (zone.Equals("UTC", StringComparison.OrdinalIgnoreCase) || zone == "Z")
        {
            offset = TimeSpan.Zero;
        }
        else if (Offset.Match(zone) is { Success: true } m)
        {
            offset = new TimeSpan(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), 0);
            offset = m.Groups[1].Value == "-" ? -offset : offset;
        }
        else
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"TimeZone '{zone}' is not UTC or ±hh:mm ({Key("TimeZone")}).", 400);
            return false;
        }

        var mode = (Option(account, "VerifyMode") ?? "strict").ToLowerInvariant();
        scheme = new GenericScheme(
            IdField: Option(account, "IdField") ?? "msgid",
            StatusField: Option(account, "StatusField") ?? "stat",
            TimeField: Option(account, "TimeField") ?? "done_time",
            TimeFormats: List(Option(account, "TimeFormat"), '|') is { Count: > 0 } formats ? formats : DefaultTimeFormats,
            TimeOffset: offset,
            PhoneField: Switchable(account, "PhoneField", "mobile"),
            OutIdField: Switchable(account, "OutIdField", "out_id"),
            PartsField: Switchable(account, "PartsField", "parts"),
            DeliveredValues: new HashSet<string>(List(Option(account, "DeliveredValues") ?? "DELIVRD,DELIVERED,0", ','), StringComparer.OrdinalIgnoreCase),
            PendingValues: new HashSet<string>(List(Option(account, "PendingValues") ?? "ENROUTE,ACCEPTD,SENT", ','), StringComparer.OrdinalIgnoreCase),
            SignatureMethod: method,
            Base64: encoding == "base64",
            RawBody: stringToSign == "raw-body",
            UnquoteJsonStrings: string.Equals(Option(account, "JsonValues"), "unquoted", StringComparison.OrdinalIgnoreCase),
            SignedHeaders: Switchable(account, "SignedHeaders", "X-Timestamp,X-Nonce") is { } headers ? List(headers, ',') : [],
            SignatureHeader: Option(account, "SignatureHeader") ?? "X-Signature",
            SignatureParam: signatureParam,
            TimestampHeader: Switchable(account, "TimestampHeader", "X-Timestamp"),
            NonceHeader: Switchable(account, "NonceHeader", "X-Nonce"),
            // Anything but the explicit audit mode verifies strictly: a typo must not open the window.
            IgnoreTimestamp: mode == "ignore-timestamp",
            Reply: new ProviderReply(200, "text/plain; charset=utf-8", Option(account, "Reply") ?? "OK"));
        return true;
    }

    /// <summary>Looked up ignoring case ourselves: the configuration binder may not keep the dictionary's comparer.</summary>
    private static string? Option(ProviderAccount account, string name)
    {
        foreach (var (key, value) in account.Options)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }

    /// <summary>An option with a default that `none` switches off (an empty value cannot: configuration drops it).</summary>
    private static string? Switchable(ProviderAccount account, string name, string? fallback) =>
        Option(account, name) is { } value ? (value.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : value) : fallback;

    private static List<string> List(string? text, char separator) =>
        text is null ? [] : [.. text.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
