using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Aliyun;

/// <summary>
/// Alibaba Cloud RPC-style request signature, "signature version 1.0" with HMAC-SHA1
/// (https://help.aliyun.com/document_detail/172849.html, "签名机制"):
/// sort every parameter but `Signature` by name, percent-encode names and values (RFC 3986: only
/// `A-Z a-z 0-9 - _ . ~` stay, space is `%20`), join as `k=v&…`, then
/// StringToSign = METHOD + "&%2F&" + percentEncode(canonical), and
/// Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", UTF-8(StringToSign))).
/// </summary>
public static class AliyunRpcSigner
{
    public const string Method = "HMAC-SHA1";
    public const string Version = "1.0";

    /// <summary>RFC 3986 percent-encoding of UTF-8 bytes with upper-case hex, as Alibaba's `percentEncode`.</summary>
    public static string PercentEncode(string value)
    {
        var text = new StringBuilder(value.Length * 3 / 2);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
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

    /// <summary>The canonicalized query string: parameters sorted by name (ordinal, i.e. by byte), encoded, `&`-joined.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) => string.Join("&",
        parameters.Where(p => p.Key != "Signature")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{PercentEncode(p.Key)}={PercentEncode(p.Value)}"));

    public static string StringToSign(string httpMethod, string canonicalQuery) =>
        $"{httpMethod}&{PercentEncode("/")}&{PercentEncode(canonicalQuery)}";

    /// <summary>The signature of a string to sign; the HMAC key is the secret followed by `&`.</summary>
    public static string Sign(string stringToSign, string accessKeySecret)
    {
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(accessKeySecret + "&"));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Signs a parameter set as a request with <paramref name="httpMethod"/> would carry it.</summary>
    public static string Sign(string httpMethod, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret) =>
        Sign(StringToSign(httpMethod, CanonicalQuery(parameters)), accessKeySecret);
}
