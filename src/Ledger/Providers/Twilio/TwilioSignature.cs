using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Twilio;

/// <summary>
/// `X-Twilio-Signature` (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
/// Base64(HMAC(key, url + Σ sorted(name + value))). The key is the auth token, or a Webhooks Rule's
/// SharedKey; both are configured as account secrets, any of which verifies (rotation).
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    /// <summary>
    /// Present when a Webhooks Rule matched: `key=,algorithm=HMAC_SHA256`. Only the hash changes
    /// (https://github.com/twilio/twilio-node/blob/main/examples/WebhookSignatureValidation.md).
    /// </summary>
    public const string SettingsHeader = "X-Twilio-Webhooks-Signature-Settings";

    /// <summary>The algorithm the settings header names; HMAC-SHA1 when there is no header; null when unsupported.</summary>
    public static HashAlgorithmName? Algorithm(string? settings)
    {
        if (string.IsNullOrWhiteSpace(settings))
        {
            return HashAlgorithmName.SHA1;
        }

        foreach (var part in settings.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim().Equals("algorithm", StringComparison.OrdinalIgnoreCase))
            {
                return part[(eq + 1)..].Trim().ToUpperInvariant() switch
                {
                    "HMAC_SHA1" => HashAlgorithmName.SHA1,
                    "HMAC_SHA256" => HashAlgorithmName.SHA256,
                    _ => null,
                };
            }
        }

        return HashAlgorithmName.SHA1;
    }

    /// <summary>
    /// The signed text: the URL as called, then every POST parameter sorted by name (ordinal, as
    /// twilio-node's `Object.keys().sort()`), each as name then value, no separators. Repeated names
    /// are ordered by value, as the helper libraries do for arrays. Unknown parameters are included:
    /// Twilio adds parameters without notice and signs them all.
    /// </summary>
    public static string SignedText(string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var text = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            text.Append(name).Append(value);
        }

        return text.ToString();
    }

    public static string Compute(string secret, string signedText, HashAlgorithmName algorithm)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.UTF8.GetBytes(signedText);
        var hash = algorithm == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);
        return Convert.ToBase64String(hash);
    }

    /// <summary>True when any secret signs any acceptable form of the URL to the presented value (constant-time compare).</summary>
    public static bool Verify(string presented, string url, IReadOnlyList<KeyValuePair<string, string>> parameters,
        HashAlgorithmName algorithm, IEnumerable<string> secrets)
    {
        var presentedBytes = Encoding.UTF8.GetBytes(presented.Trim());
        var verified = false;
        foreach (var candidate in UrlForms(url))
        {
            var text = SignedText(candidate, parameters);
            foreach (var secret in secrets)
            {
                // No early exit: every secret is tried, so timing says nothing about which one matched.
                verified |= CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(Compute(secret, text, algorithm)));
            }
        }

        return verified;
    }

    /// <summary>
    /// The URL as called, and the same URL with the default port toggled: Twilio may sign
    /// `https://host:443/...` or `https://host/...`, and its helper libraries accept both
    /// (twilio-node `validateRequest`, https://github.com/twilio/twilio-node/blob/main/src/webhooks/webhooks.ts).
    /// </summary>
    public static IEnumerable<string> UrlForms(string url)
    {
        yield return url;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            yield break;
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        var defaultPort = scheme switch { "https" => "443", "http" => "80", _ => null };
        if (defaultPort is null)
        {
            yield break;
        }

        var hostStart = schemeEnd + 3;
        var hostEnd = url.IndexOfAny(['/', '?', '#'], hostStart);
        if (hostEnd < 0)
        {
            hostEnd = url.Length;
        }

        var authority = url[hostStart..hostEnd];
        var colon = authority.LastIndexOf(':');
        var hasPort = colon >= 0 && !authority.EndsWith(']') && authority[(colon + 1)..].All(char.IsAsciiDigit);
        if (!hasPort)
        {
            yield return $"{url[..hostEnd]}:{defaultPort}{url[hostEnd..]}";
        }
        else if (authority[(colon + 1)..] == defaultPort)
        {
            yield return $"{url[..(hostStart + colon)]}{url[hostEnd..]}";
        }
    }
}
