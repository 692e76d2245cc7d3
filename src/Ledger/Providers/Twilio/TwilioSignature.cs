using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Twilio;

/// <summary>
/// `X-Twilio-Signature` (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
/// Base64(HMAC(key, url + Σ sorted(name + value))). The key is the auth token, or a Webhooks Rule's
/// SharedKey; both are configured as account secrets, any of which verifies (rotation).
/// A body that is not a form is signed differently: Twilio appends `bodySHA256` = hex SHA-256 of the raw
/// body to the URL's query and signs that URL with no parameters after it; the receiver checks the
/// signature and that the body hashes to `bodySHA256` (https://www.twilio.com/docs/api/errors/57012,
/// and twilio-python `RequestValidator.validate`, twilio-node `validateRequestWithBody`,
/// twilio-csharp `RequestValidator.Validate(url, body, expected)`).
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    /// <summary>The query parameter that carries the hex SHA-256 of a non-form body.</summary>
    public const string BodyHashParameter = "bodySHA256";

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

    /// <summary>
    /// True when any secret signs any acceptable form of the URL to the presented value (constant-time
    /// compare). For a non-form body, pass no parameters: the URL (with its bodySHA256) is all that is signed.
    /// </summary>
    /// <param name="signedFragment">A connection-override fragment the account says Twilio signs (see <see cref="UrlForms"/>).</param>
    public static bool Verify(string presented, string url, IReadOnlyList<KeyValuePair<string, string>> parameters,
        HashAlgorithmName algorithm, IEnumerable<string> secrets, string? signedFragment = null)
    {
        var presentedBytes = Encoding.UTF8.GetBytes(presented.Trim());
        var verified = false;
        foreach (var candidate in UrlForms(url, signedFragment))
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

    /// <summary>Lowercase hex SHA-256 of the body bytes exactly as received, which is what `bodySHA256` carries.</summary>
    public static string BodyHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>True when the raw body hashes to the presented `bodySHA256` (hex, either case; constant-time compare).</summary>
    public static bool VerifyBodyHash(ReadOnlySpan<byte> body, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(BodyHash(body)), Encoding.ASCII.GetBytes(presented.Trim().ToLowerInvariant()));

    /// <summary>
    /// The URLs a genuine signature may have been computed over, as Twilio's own validators accept them
    /// ("sig generation on back end is inconsistent": twilio-python/node/csharp `RequestValidator`):
    /// the URL as called; without its port if it has one, whichever port it is (Twilio "will drop the
    /// username, password and port (if any)" of an HTTPS URL, https://www.twilio.com/docs/usage/security#notes,
    /// and the validators drop any port for HTTP too); with the scheme's default port if it has none.
    /// <para>
    /// Fragments: a URL registered with connection overrides (`…#rc=3&amp;rp=all`,
    /// https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides) is called without its
    /// fragment, since a fragment never travels in an HTTP request, and Twilio's validators, which
    /// rebuild the URL from the request (twilio-node `validateIncomingRequest`), verify it without one.
    /// Twilio does not say which form it signs, so when an account names its fragment
    /// (`Options__SignedFragment`), each form above is also tried with `#` + that fragment.
    /// </para>
    /// </summary>
    public static IEnumerable<string> UrlForms(string url, string? signedFragment = null)
    {
        var forms = PortForms(url).ToList();
        var fragment = signedFragment?.Trim().TrimStart('#');
        return string.IsNullOrEmpty(fragment) ? forms : [.. forms, .. forms.Select(form => $"{form}#{fragment}")];
    }

    private static IEnumerable<string> PortForms(string url)
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
        var hasPort = colon >= 0 && !authority.EndsWith(']') && colon < authority.Length - 1 && authority[(colon + 1)..].All(char.IsAsciiDigit);
        if (hasPort)
        {
            yield return $"{url[..(hostStart + colon)]}{url[hostEnd..]}";
        }
        else if (colon < 0 || authority.EndsWith(']'))
        {
            yield return $"{url[..hostEnd]}:{defaultPort}{url[hostEnd..]}";
        }
    }
}
