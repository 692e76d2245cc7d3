using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Vonage;

/// <summary>
/// Vonage signed webhooks (https://developer.vonage.com/getting-started/concepts/signing-messages):
/// every parameter but `sig`, sorted by name, as `&amp;name=value` with `&amp;` and `=` in values turned
/// into `_`; then `md5hash` = hex MD5(text + secret) (the default), or hex HMAC(secret, text) for
/// `md5`, `sha1`, `sha256`, `sha512`. Matches the official SDKs (vonage-python-sdk `Client.signature`,
/// vonage-java-sdk `RequestSigning`).
/// </summary>
public static class VonageSignature
{
    public const string DefaultMethod = "md5hash";

    public static readonly IReadOnlyList<string> Methods = ["md5hash", "md5", "sha1", "sha256", "sha512"];

    public static bool IsSupported(string method) => Methods.Contains(method, StringComparer.OrdinalIgnoreCase);

    public static string SignedText(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in parameters
                     .Where(p => p.Key != "sig")
                     .OrderBy(p => p.Key, StringComparer.Ordinal)
                     .ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            text.Append('&').Append(name).Append('=').Append(value.Replace('&', '_').Replace('=', '_'));
        }

        return text.ToString();
    }

    /// <summary>Lowercase hex, as Vonage sends it.</summary>
    public static string Compute(string method, string secret, string signedText)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.UTF8.GetBytes(signedText);
        var hash = method.ToLowerInvariant() switch
        {
            "md5hash" => MD5.HashData(Encoding.UTF8.GetBytes(signedText + secret)),
            "md5" => HMACMD5.HashData(key, data),
            "sha1" => HMACSHA1.HashData(key, data),
            "sha256" => HMACSHA256.HashData(key, data),
            "sha512" => HMACSHA512.HashData(key, data),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unsupported Vonage signature method."),
        };
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>True when any secret gives the presented `sig` (case ignored, constant-time compare).</summary>
    public static bool Verify(string presented, string method, IReadOnlyList<KeyValuePair<string, string>> parameters, IEnumerable<string> secrets)
    {
        var presentedBytes = Encoding.ASCII.GetBytes(presented.Trim().ToLowerInvariant());
        var text = SignedText(parameters);
        var verified = false;
        foreach (var secret in secrets)
        {
            // Every secret is tried, so timing does not tell which one matched.
            verified |= CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.ASCII.GetBytes(Compute(method, secret, text)));
        }

        return verified;
    }
}
