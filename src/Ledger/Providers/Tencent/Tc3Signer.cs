using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Tencent;

/// <summary>
/// TencentCloud API 3.0 "Signature v3", TC3-HMAC-SHA256 (https://www.tencentcloud.com/document/api/382/40467):
/// a canonical request (method, `/`, query, sorted lower-case headers, their names, SHA-256 of the
/// payload), a string to sign over its hash and the credential scope `{UTC date}/{service}/tc3_request`,
/// and a key derived from the SecretKey through the date, the service and `tc3_request`.
/// </summary>
public static class Tc3Signer
{
    public const string Algorithm = "TC3-HMAC-SHA256";
    public const string Terminator = "tc3_request";

    /// <summary>Lower-case hex SHA-256 of UTF-8 text.</summary>
    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The canonical request. <paramref name="headers"/> are the signed headers as sent; names and values
    /// are lower-cased and trimmed, sorted by name ("Both the key and value of the header should be
    /// converted to lowercase with the leading and trailing spaces removed").
    /// </summary>
    public static string CanonicalRequest(string method, string canonicalQuery, IEnumerable<KeyValuePair<string, string>> headers, string payload, out string signedHeaders)
    {
        var sorted = headers.Select(h => new KeyValuePair<string, string>(h.Key.Trim().ToLowerInvariant(), h.Value.Trim().ToLowerInvariant()))
            .OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
        signedHeaders = string.Join(";", sorted.Select(h => h.Key));
        var canonicalHeaders = string.Concat(sorted.Select(h => $"{h.Key}:{h.Value}\n"));
        return $"{method}\n/\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{Sha256Hex(payload)}";
    }

    /// <summary>The credential scope's date is the UTC date of the timestamp, never a local one.</summary>
    public static string Date(long timestamp) =>
        DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string CredentialScope(long timestamp, string service) => $"{Date(timestamp)}/{service}/{Terminator}";

    public static string StringToSign(long timestamp, string service, string canonicalRequest) =>
        $"{Algorithm}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{CredentialScope(timestamp, service)}\n{Sha256Hex(canonicalRequest)}";

    /// <summary>SecretDate = HMAC("TC3" + SecretKey, date); SecretService = HMAC(SecretDate, service); SecretSigning = HMAC(SecretService, "tc3_request").</summary>
    public static byte[] SigningKey(string secretKey, string date, string service)
    {
        var secretDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("TC3" + secretKey), Encoding.UTF8.GetBytes(date));
        var secretService = HMACSHA256.HashData(secretDate, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(secretService, Encoding.UTF8.GetBytes(Terminator));
    }

    /// <summary>Lower-case hex HMAC-SHA256 of the string to sign with the derived key.</summary>
    public static string Sign(string secretKey, long timestamp, string service, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(secretKey, Date(timestamp), service), Encoding.UTF8.GetBytes(stringToSign)));

    public static string Authorization(string secretId, long timestamp, string service, string signedHeaders, string signature) =>
        $"{Algorithm} Credential={secretId}/{CredentialScope(timestamp, service)}, SignedHeaders={signedHeaders}, Signature={signature}";

    /// <summary>The whole scheme for a POST with an empty query, as API 3.0 calls are made: the Authorization header value.</summary>
    public static string AuthorizePost(string secretId, string secretKey, long timestamp, string service,
        IEnumerable<KeyValuePair<string, string>> signedHeaderValues, string payload)
    {
        var canonical = CanonicalRequest("POST", "", signedHeaderValues, payload, out var signedHeaders);
        var signature = Sign(secretKey, timestamp, service, StringToSign(timestamp, service, canonical));
        return Authorization(secretId, timestamp, service, signedHeaders, signature);
    }
}
