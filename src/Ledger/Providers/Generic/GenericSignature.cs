using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Ingest;

namespace Ledger.Providers.Generic;

/// <summary>
/// Verifies a generic gateway's signature (docs/rules.md rule 5), in the Standard Webhooks manner:
/// string-to-sign = the values of `SignedHeaders` in their configured order, each followed by `\n`,
/// then either the parameters sorted by name (ordinal, stable for repeated names, the signature
/// parameter left out) joined as `k=v` with `&amp;`, or the raw body bytes. With no signed headers
/// there is no prefix. `md5` is MD5(string-to-sign + secret); `hmac-*` is keyed with the secret (UTF-8).
/// The signature is read from a header, a body parameter or a query parameter, and a configured prefix
/// (`sha256=`) must come first and is removed before decoding. Any configured secret verifies (rotation); comparison is on the decoded bytes in constant time,
/// which also makes hex case-insensitive. Then the signed timestamp must be within the tolerance both
/// ways, and the signed nonce is handed to the ingest path, which refuses its reuse.
/// </summary>
public static class GenericSignature
{
    /// <summary>Epoch values at or above this are milliseconds (as seconds it would be the year 5138).</summary>
    private const long MillisecondsThreshold = 100_000_000_000;

    /// <summary>Nonces are stored; an unbounded one would be a free write of any size.</summary>
    private const int MaxNonceLength = 200;

    public static Rejection? Verify(RawCallback request, GenericBody body, GenericScheme scheme, ProviderAccount account, DateTimeOffset now, out NonceClaim? nonce)
    {
        nonce = null;
        var secrets = account.Secrets.Where(s => !string.IsNullOrEmpty(s)).ToList();
        if (secrets.Count == 0)
        {
            // An API key or access key id is an identifier the gateway also sends; it is never a signing secret.
            return Refuse($"No signing secret is configured for generic account '{account.Name}': set Ledger__Providers__generic__{account.Name}__Secrets__0 to the gateway's signing secret (not its API key).");
        }

        if (body.SignedParameters is null && !scheme.RawBody)
        {
            return Refuse($"A JSON array batch has no single parameter set to sort: set Ledger__Providers__generic__{account.Name}__Options__StringToSign to raw-body for batches.");
        }

        if (body.InQuery && scheme.RawBody)
        {
            // The raw body is empty, so a raw-body signature would cover none of the report.
            return Refuse($"The report came in the query string, which a raw-body signature does not cover: set Ledger__Providers__generic__{account.Name}__Options__StringToSign to sorted-params for such pushes.");
        }

        var (presented, carrier) = scheme switch
        {
            { SignatureParam: { } param } => (body.Parameter(param), $"the body parameter '{param}'"),
            { SignatureQueryParam: { } queryParam } => (request.Query.FirstOrDefault(p => p.Key == queryParam).Value, $"the query parameter '{queryParam}'"),
            _ => (request.Header(scheme.SignatureHeader), $"the header {scheme.SignatureHeader}"),
        };
        if (string.IsNullOrWhiteSpace(presented))
        {
            return Refuse($"The signature is missing: {carrier} was expected.");
        }

        presented = presented.Trim();
        if (scheme.SignaturePrefix is { } signaturePrefix)
        {
            // `sha256=<hex>` (GitHub's X-Hub-Signature-256 style): the prefix names the algorithm, so it is required
            // as configured (in any case), then left out of what is decoded.
            if (!presented.StartsWith(signaturePrefix, StringComparison.OrdinalIgnoreCase))
            {
                return Refuse($"The signature in {carrier} does not start with '{signaturePrefix}' (Options:SignaturePrefix).");
            }

            presented = presented[signaturePrefix.Length..].Trim();
        }

        DateTimeOffset? timestamp = null;
        if (scheme.TimestampHeader is { } timestampHeader)
        {
            var raw = request.Header(timestampHeader);
            if (string.IsNullOrWhiteSpace(raw))
            {
                return Refuse($"The timestamp is missing: the header {timestampHeader} (epoch seconds or milliseconds) was expected.");
            }

            if (!TryParseEpoch(raw, out var parsed))
            {
                return Refuse($"The header {timestampHeader} '{raw}' is not epoch seconds or milliseconds.");
            }

            timestamp = parsed;
        }

        string? nonceValue = null;
        if (scheme.NonceHeader is { } nonceHeader)
        {
            nonceValue = request.Header(nonceHeader);
            if (string.IsNullOrWhiteSpace(nonceValue))
            {
                return Refuse($"The nonce is missing: the header {nonceHeader} was expected.");
            }

            if (nonceValue.Length > MaxNonceLength)
            {
                return Refuse($"The header {nonceHeader} is longer than {MaxNonceLength} characters.");
            }
        }

        var prefix = new StringBuilder();
        foreach (var header in scheme.SignedHeaders)
        {
            var value = request.Header(header);
            if (value is null)
            {
                return Refuse($"The signed header {header} is missing.");
            }

            prefix.Append(value).Append('\n');
        }

        byte[] message = scheme.RawBody
            ? [.. Encoding.UTF8.GetBytes(prefix.ToString()), .. request.Body]
            : Encoding.UTF8.GetBytes(prefix.Append(SortedParameters(body.SignedParameters!, SignedAmong(body, scheme))).ToString());

        if (!TryDecode(presented, scheme.Base64, out var signature))
        {
            return Refuse($"The signature is not {(scheme.Base64 ? "base64" : "hex")}.");
        }

        var verified = false;
        foreach (var secret in secrets)
        {
            verified |= CryptographicOperations.FixedTimeEquals(signature, Compute(scheme.SignatureMethod, secret, message));
        }

        if (!verified)
        {
            return Refuse($"The signature does not match ({scheme.SignatureMethod}, {(scheme.Base64 ? "base64" : "hex")}, string-to-sign: " +
                $"{(scheme.SignedHeaders.Count == 0 ? "" : string.Join(@"\n", scheme.SignedHeaders) + @"\n")}" +
                $"{(scheme.RawBody ? "raw body" : "sorted k=v&k=v" + (SignedAmong(body, scheme) is { } sp ? $" without '{sp}'" : ""))}).");
        }

        if (timestamp is { } signedAt && !scheme.IgnoreTimestamp)
        {
            var skew = now - signedAt;
            if (skew.Duration() > TimeSpan.FromSeconds(account.TimestampToleranceSeconds))
            {
                return Rejection.Unverified(RejectionReasons.StaleTimestamp,
                    $"The signed timestamp is {Math.Abs((long)skew.TotalSeconds)} s {(skew > TimeSpan.Zero ? "old" : "in the future")}; " +
                    $"the window is ±{account.TimestampToleranceSeconds} s (TimestampToleranceSeconds).");
            }
        }

        if (nonceValue is not null)
        {
            // Remembered until the timestamp leaves the window: after that a replay is refused as stale anyway.
            nonce = new NonceClaim(nonceValue, (timestamp ?? now) + TimeSpan.FromSeconds(account.TimestampToleranceSeconds));
        }

        return null;
    }

    /// <summary>
    /// The signature's own parameter, when it sits among the signed parameters and so is left out of them:
    /// a body parameter, or a query parameter when the query is the report. A query signature beside a
    /// body is not among the body's parameters, so nothing of the body is left out for it.
    /// </summary>
    private static string? SignedAmong(GenericBody body, GenericScheme scheme) =>
        scheme.SignatureParam ?? (body.InQuery ? scheme.SignatureQueryParam : null);

    public static string SortedParameters(IEnumerable<KeyValuePair<string, string>> parameters, string? excluded) =>
        string.Join("&", parameters
            .Where(p => p.Key != excluded)
            .OrderBy(p => p.Key, StringComparer.Ordinal) // OrderBy is stable: repeated names keep their order
            .Select(p => $"{p.Key}={p.Value}"));

    public static byte[] Compute(string method, string secret, byte[] message)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        return method switch
        {
            GenericScheme.Md5 => MD5.HashData([.. message, .. key]),
            GenericScheme.HmacSha1 => HMACSHA1.HashData(key, message),
            GenericScheme.HmacSha256 => HMACSHA256.HashData(key, message),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown signature method."),
        };
    }

    public static bool TryParseEpoch(string raw, out DateTimeOffset instant)
    {
        instant = default;
        if (!long.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        instant = value >= MillisecondsThreshold ? DateTimeOffset.FromUnixTimeMilliseconds(value) : DateTimeOffset.FromUnixTimeSeconds(value);
        return true;
    }

    private static bool TryDecode(string presented, bool base64, out byte[] bytes)
    {
        bytes = [];
        if (base64)
        {
            var buffer = new byte[presented.Length];
            if (!Convert.TryFromBase64String(presented, buffer, out var written))
            {
                return false;
            }

            bytes = buffer[..written];
            return true;
        }

        try
        {
            bytes = Convert.FromHexString(presented);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Rejection Refuse(string detail) => Rejection.Unverified(RejectionReasons.BadSignature, detail);
}
