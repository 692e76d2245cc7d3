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
/// `PartsField` (parts), `ErrorCodeField` and `DescriptionField` (none). A field name may be a
/// dot-separated path into a JSON report (`data.status`, see <see cref="FieldPath"/>). Status:
/// `DeliveredValues` (DELIVRD,DELIVERED,0) and `PendingValues` (ENROUTE,ACCEPTD,SENT), compared ignoring
/// case; any other value is a final failure carried as the error code (or `ErrorCodeField`'s value), and
/// a missing status is unknown and not final. Body: `JsonFormField` (none; a form field whose value is
/// the JSON report or array of reports, as Yunpian's `sms_status`).
///
/// Signature: `SignatureMethod` (account key, not an option: md5 | hmac-sha1 | hmac-sha256, default
/// hmac-sha256; or none, for gateways that sign nothing, which then need a `Token` or `AllowedCidrs`),
/// `SignatureEncoding` (hex | base64), `StringToSign` (sorted-params | raw-body),
/// `SignedHeaders` (X-Timestamp,X-Nonce; `none` for none), where the signature is carried: `SignatureHeader`
/// (X-Signature), or `SignatureParam` (a body parameter, e.g. `sign`), or `SignatureQueryParam` (a query
/// string parameter), `SignaturePrefix` (none; e.g. `sha256=`, required before the signature and
/// stripped), `TimestampHeader` (X-Timestamp) and `NonceHeader` (X-Nonce), each `none` to switch it off,
/// `JsonValues` (raw: a JSON value signs as its token text, quotes included | unquoted; see
/// <see cref="GenericBody"/>), `VerifyMode` (strict | ignore-timestamp). Reply: `Reply` (OK, text/plain, 200).
///
/// <see cref="Problems"/> lists every setting that cannot be read, each naming its key: the service
/// refuses to start with any (Program.cs), and `verify-config` / `check-env` print them.
/// </summary>
public sealed record GenericScheme(
    FieldPath IdField,
    FieldPath StatusField,
    FieldPath TimeField,
    IReadOnlyList<string> TimeFormats,
    TimeSpan TimeOffset,
    FieldPath? PhoneField,
    FieldPath? OutIdField,
    FieldPath? PartsField,
    FieldPath? ErrorCodeField,
    FieldPath? DescriptionField,
    string? JsonFormField,
    IReadOnlySet<string> DeliveredValues,
    IReadOnlySet<string> PendingValues,
    string SignatureMethod,
    bool Base64,
    bool RawBody,
    bool UnquoteJsonStrings,
    IReadOnlyList<string> SignedHeaders,
    string SignatureHeader,
    string? SignatureParam,
    string? SignatureQueryParam,
    string? SignaturePrefix,
    string? TimestampHeader,
    string? NonceHeader,
    bool IgnoreTimestamp,
    ProviderReply Reply)
{
    public const string Md5 = "md5";
    public const string HmacSha1 = "hmac-sha1";
    public const string HmacSha256 = "hmac-sha256";

    /// <summary>`none` as SignatureMethod: the gateway signs nothing (Volcengine, Yunpian), so a URL token or allowlist guards it.</summary>
    public const string Unsigned = "none";

    public static readonly IReadOnlyList<string> Methods = [Md5, HmacSha1, HmacSha256, Unsigned];

    /// <summary>`epoch` as TimeFormat: seconds or milliseconds since 1970, told apart by magnitude.</summary>
    public const string EpochFormat = "epoch";

    /// <summary>CMPP's Done_time is `YYMMDDHHMM` (docs/providers.md); gateways that re-format it use the other two.</summary>
    private static readonly string[] DefaultTimeFormats = ["yyMMddHHmm", "yyyyMMddHHmmss", "yyyy-MM-dd HH:mm:ss"];

    /// <summary>A time every date format must write and read back, to the minute, to be a usable format.</summary>
    private static readonly DateTime FormatProbe = new(2026, 11, 25, 10, 32, 0, DateTimeKind.Unspecified);

    private static readonly Regex Offset = new(@"^([+-])(\d{2}):?(\d{2})$", RegexOptions.CultureInvariant);

    public bool IsUnsigned => SignatureMethod == Unsigned;

    /// <summary>Every field setting, so the body reader extracts nested paths once per item.</summary>
    public IEnumerable<FieldPath> Fields =>
        new[] { IdField, StatusField, TimeField, PhoneField, OutIdField, PartsField, ErrorCodeField, DescriptionField }.OfType<FieldPath>();

    /// <summary>The time zone rule stamped on every parsed time (docs/rules.md rule 6).</summary>
    public string TimeRule => TimeOffset == TimeSpan.Zero
        ? "UTC (account option TimeZone, no zone in the value)"
        : $"UTC{(TimeOffset < TimeSpan.Zero ? "-" : "+")}{TimeOffset:hh\\:mm} (account option TimeZone, no zone in the value)";

    /// <summary>The account's settings that cannot be read, one line each naming its configuration key.</summary>
    public static IReadOnlyList<string> Problems(ProviderAccount account)
    {
        var problems = new List<Rejection>();
        Read(account, problems);
        return [.. problems.Select(p => p.Detail)];
    }

    /// <summary>
    /// The scheme, or the first setting that cannot be read as a rejection. The service refuses to start
    /// with a bad setting, so this is reached only when the configuration changed under a running service.
    /// </summary>
    public static bool TryRead(ProviderAccount account, out GenericScheme scheme, out Rejection? rejection)
    {
        var problems = new List<Rejection>();
        scheme = Read(account, problems)!;
        rejection = problems.FirstOrDefault();
        return rejection is null;
    }

    private static GenericScheme? Read(ProviderAccount account, List<Rejection> problems)
    {
        string Key(string option) => $"Ledger__Providers__generic__{account.Name}__Options__{option}";
        void Signing(string detail) => problems.Add(Rejection.Unverified(RejectionReasons.BadSignature, detail));
        void Fields(string reason, string detail) => problems.Add(new Rejection(reason, detail, 400));

        var method = (account.SignatureMethod ?? HmacSha256).Trim().ToLowerInvariant();
        if (!Methods.Contains(method))
        {
            Signing($"SignatureMethod '{account.SignatureMethod}' is not md5, hmac-sha1, hmac-sha256 or none (Ledger__Providers__generic__{account.Name}__SignatureMethod).");
        }
        else if (method == Unsigned && string.IsNullOrWhiteSpace(account.Token) && account.AllowedCidrs.Count == 0)
        {
            // docs/rules.md rule 5: what signs nothing is guarded by a secret URL token and/or a source allowlist.
            Signing($"SignatureMethod none needs Ledger__Providers__generic__{account.Name}__Token or __AllowedCidrs__0: an unsigned account would accept anyone's reports.");
        }
        else if (method == Unsigned && account.Secrets.Any(s => !string.IsNullOrWhiteSpace(s)))
        {
            // Either the secrets are stale or SignatureMethod is a mistake that switched verification off: say so.
            Signing($"SignatureMethod none, but Ledger__Providers__generic__{account.Name}__Secrets__0 is set: remove the secrets, or set the method the gateway signs with.");
        }

        var encoding = (Option(account, "SignatureEncoding") ?? "hex").ToLowerInvariant();
        if (encoding is not ("hex" or "base64"))
        {
            Signing($"SignatureEncoding '{encoding}' is not hex or base64 ({Key("SignatureEncoding")}).");
        }

        var stringToSign = (Option(account, "StringToSign") ?? "sorted-params").ToLowerInvariant();
        if (stringToSign is not ("sorted-params" or "raw-body"))
        {
            Signing($"StringToSign '{stringToSign}' is not sorted-params or raw-body ({Key("StringToSign")}).");
        }

        var signatureParam = Switchable(account, "SignatureParam", null);
        var signatureQueryParam = Switchable(account, "SignatureQueryParam", null);
        if (signatureParam is not null && stringToSign == "raw-body")
        {
            // The signature cannot be part of the bytes it signs; we do not guess how a sender removed it.
            Signing($"A signature carried in the body ({Key("SignatureParam")}) cannot sign the raw body; use sorted-params, SignatureHeader or SignatureQueryParam.");
        }

        if (signatureParam is not null && signatureQueryParam is not null)
        {
            Signing($"The signature is either in the body ({Key("SignatureParam")}) or in the query string ({Key("SignatureQueryParam")}), not both.");
        }

        var zone = Option(account, "TimeZone") ?? "+08:00";
        var offset = TimeSpan.Zero;
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
            Fields(RejectionReasons.BadTime, $"TimeZone '{zone}' is not UTC or ±hh:mm ({Key("TimeZone")}).");
        }

        var formats = List(Option(account, "TimeFormat"), '|') is { Count: > 0 } configured ? configured : [.. DefaultTimeFormats];
        if (formats.Contains(EpochFormat, StringComparer.OrdinalIgnoreCase) && formats.Count > 1)
        {
            Fields(RejectionReasons.BadTime, $"TimeFormat '{string.Join("|", formats)}': epoch stands alone, it cannot be mixed with date formats ({Key("TimeFormat")}).");
        }
        else if (formats.FirstOrDefault(f => !f.Equals(EpochFormat, StringComparison.OrdinalIgnoreCase) && !WritesAndReadsADate(f)) is { } unusable)
        {
            Fields(RejectionReasons.BadTime, $"TimeFormat '{unusable}' is not a .NET exact date format with year, month, day, hour and minute, nor epoch ({Key("TimeFormat")}).");
        }

        FieldPath? Field(string option, string? fallback, bool switchable)
        {
            var text = switchable ? Switchable(account, option, fallback) : Option(account, option) ?? fallback;
            if (text is null)
            {
                return null;
            }

            if (!FieldPath.TryParse(text, out var path))
            {
                Fields(RejectionReasons.Malformed, $"{option} '{text}' is not a field name or a dot-separated path such as data.status (an empty segment) ({Key(option)}).");
            }

            return path;
        }

        var idField = Field("IdField", "msgid", switchable: false);
        var statusField = Field("StatusField", "stat", switchable: false);
        var timeField = Field("TimeField", "done_time", switchable: false);
        var phoneField = Field("PhoneField", "mobile", switchable: true);
        var outIdField = Field("OutIdField", "out_id", switchable: true);
        var partsField = Field("PartsField", "parts", switchable: true);
        var errorCodeField = Field("ErrorCodeField", null, switchable: true);
        var descriptionField = Field("DescriptionField", null, switchable: true);

        var mode = (Option(account, "VerifyMode") ?? "strict").ToLowerInvariant();
        if (problems.Count > 0)
        {
            return null;
        }

        return new GenericScheme(
            IdField: idField!,
            StatusField: statusField!,
            TimeField: timeField!,
            TimeFormats: formats,
            TimeOffset: offset,
            PhoneField: phoneField,
            OutIdField: outIdField,
            PartsField: partsField,
            ErrorCodeField: errorCodeField,
            DescriptionField: descriptionField,
            JsonFormField: Switchable(account, "JsonFormField", null),
            DeliveredValues: new HashSet<string>(List(Switchable(account, "DeliveredValues", "DELIVRD,DELIVERED,0"), ','), StringComparer.OrdinalIgnoreCase),
            PendingValues: new HashSet<string>(List(Switchable(account, "PendingValues", "ENROUTE,ACCEPTD,SENT"), ','), StringComparer.OrdinalIgnoreCase),
            SignatureMethod: method,
            Base64: encoding == "base64",
            RawBody: stringToSign == "raw-body",
            UnquoteJsonStrings: string.Equals(Option(account, "JsonValues"), "unquoted", StringComparison.OrdinalIgnoreCase),
            SignedHeaders: Switchable(account, "SignedHeaders", "X-Timestamp,X-Nonce") is { } headers ? List(headers, ',') : [],
            SignatureHeader: Option(account, "SignatureHeader") ?? "X-Signature",
            SignatureParam: signatureParam,
            SignatureQueryParam: signatureQueryParam,
            SignaturePrefix: Switchable(account, "SignaturePrefix", null),
            TimestampHeader: Switchable(account, "TimestampHeader", "X-Timestamp"),
            NonceHeader: Switchable(account, "NonceHeader", "X-Nonce"),
            // Anything but the explicit audit mode verifies strictly: a typo must not open the window.
            IgnoreTimestamp: mode == "ignore-timestamp",
            Reply: new ProviderReply(200, "text/plain; charset=utf-8", Option(account, "Reply") ?? "OK"));
    }

    /// <summary>
    /// A format that cannot write a date and read it back to the minute would refuse every time it meets
    /// (a typo such as `epoch-ms` is a valid .NET format of literals and hours).
    /// </summary>
    private static bool WritesAndReadsADate(string format)
    {
        try
        {
            var written = FormatProbe.ToString(format, CultureInfo.InvariantCulture);
            return DateTime.TryParseExact(written, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var read)
                && read.Date == FormatProbe.Date && read.Hour == FormatProbe.Hour && read.Minute == FormatProbe.Minute;
        }
        catch (FormatException)
        {
            return false;
        }
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
