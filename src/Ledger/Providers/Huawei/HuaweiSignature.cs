using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Huawei;

/// <summary>
/// Huawei Cloud's AK/SK request signing, "SDK-HMAC-SHA256" (the API Gateway app / signature-key scheme),
/// https://support.huaweicloud.com/devg-apisign/api-sign-algorithm-002.html (canonical request),
/// …-003.html (string to sign), …-004.html (signature), …-005.html (Authorization header):
/// <code>
/// CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(body))
/// StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA256(CanonicalRequest))
/// Signature        = hex(HMAC-SHA256(app secret, StringToSign))
/// Authorization: SDK-HMAC-SHA256 Access={app key}, SignedHeaders={a;b;c}, Signature={signature}
/// </code>
/// The URI is each path segment percent-encoded and always ends with `/`; the query is sorted by name
/// then value, names and values percent-encoded; every signed header is `name:trimmed value\n`, names
/// lower-cased. Percent-encoding keeps only RFC 3986's unreserved characters, as Huawei's signing SDKs
/// do (huaweicloud-sdk-python-v3 `Signer.url_encode`: `quote(s, safe='~')`).
/// </summary>
public static class HuaweiSignature
{
    public const string Algorithm = "SDK-HMAC-SHA256";

    public const string DateHeader = "X-Sdk-Date";

    /// <summary>"格式为YYYYMMDDTHHMMSSZ" (api-sign-algorithm-003), UTC.</summary>
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The SDKs sign this header's value instead of the body hash when it is present.</summary>
    public const string ContentSha256Header = "X-Sdk-Content-Sha256";

    /// <summary>`X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` leaves the body out of the signature.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The three parts of an `Authorization: SDK-HMAC-SHA256 …` header.</summary>
    public sealed record Credentials(string Access, IReadOnlyList<string> SignedHeaders, string Signature);

    /// <summary>
    /// Reads `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`; "算法与Access之前有空格但没有逗号,
    /// SignedHeaders与Signature之前需要使用逗号隔开" (api-sign-algorithm-005). Null when it is not that.
    /// </summary>
    public static Credentials? ParseAuthorization(string? header)
    {
        if (header is null || !header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return null;
        }

        string? access = null, signedHeaders = null, signature = null;
        foreach (var part in header[Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                return null;
            }

            var value = part[(eq + 1)..].Trim();
            switch (part[..eq].Trim())
            {
                case "Access": access = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default: return null;
            }
        }

        if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(signedHeaders) || string.IsNullOrEmpty(signature))
        {
            return null;
        }

        return new Credentials(access, signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(h => h.Trim().ToLowerInvariant()).ToList(), signature);
    }

    /// <summary>The path as the signer saw it: unescaped, each segment escaped again, ending with `/`.</summary>
    public static string CanonicalUri(string path)
    {
        var segments = Uri.UnescapeDataString(path).Split('/').Select(Encode);
        var uri = string.Join('/', segments);
        return uri.EndsWith('/') ? uri : uri + "/";
    }

    /// <summary>Decoded (name, value) pairs, sorted by name then value (ordinal), each escaped, joined with `&amp;`.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) => string.Join('&',
        parameters
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));

    /// <summary>`name:value\n` for each signed header in the order signed, a header's several values sorted.</summary>
    public static string CanonicalHeaders(IReadOnlyList<string> signedHeaders, Func<string, IEnumerable<string>> values)
    {
        var text = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            foreach (var value in values(name).Select(v => v.Trim()).Order(StringComparer.Ordinal))
            {
                text.Append(name).Append(':').Append(value).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery, string canonicalHeaders,
        IReadOnlyList<string> signedHeaders, string payloadHash) =>
        $"{method.ToUpperInvariant()}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{string.Join(';', signedHeaders)}\n{payloadHash}";

    public static string PayloadHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    public static string StringToSign(string sdkDate, string canonicalRequest) =>
        $"{Algorithm}\n{sdkDate}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>Lowercase hex, as the SDKs send it.</summary>
    public static string Compute(string secret, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>
    /// True when any secret (rotation) signs any of the candidate canonical requests (the forms of the
    /// request a proxy may have changed, e.g. the Host) to the presented signature. Every pair is tried
    /// and compared in constant time, so timing tells nothing about which one matched.
    /// </summary>
    public static bool Verify(string presented, string sdkDate, IEnumerable<string> canonicalRequests, IReadOnlyList<string> secrets)
    {
        var presentedBytes = Encoding.ASCII.GetBytes(presented.Trim().ToLowerInvariant());
        var verified = false;
        foreach (var canonicalRequest in canonicalRequests)
        {
            var stringToSign = StringToSign(sdkDate, canonicalRequest);
            foreach (var secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret))
                {
                    verified |= CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.ASCII.GetBytes(Compute(secret, stringToSign)));
                }
            }
        }

        return verified;
    }

    /// <summary>UTF-8 percent-encoding of everything but RFC 3986's unreserved `A-Z a-z 0-9 - _ . ~`, hex in upper case.</summary>
    public static string Encode(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
