using Ledger.Providers;

namespace Ledger.Web;

/// <summary>The `Ledger` configuration section (docs/configuration.md).</summary>
public sealed class LedgerOptions
{
    /// <summary>The embedded PostgreSQL's folder; unset: the clone's `./.ledger` (see Hosting/SourceTree).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Directory of the PostgreSQL server binaries for the embedded cluster (default: searched).</summary>
    public string? PostgresBinaries { get; set; }

    /// <summary>Largest callback body accepted; larger gets 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Of a request refused before it was authenticated (unknown route, bad token or signature), the first this
    /// many bytes of the body are kept, with its full length and SHA-256: anyone can send those, so they may not
    /// fill the disk. (A callback is a few kilobytes: the default keeps real ones whole, for a replay to rescue.)
    /// </summary>
    public int MaxRefusedBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Seconds a callback's body may take to arrive in full; a slower one is refused (408) and kept as far as it came.</summary>
    public int BodyTimeoutSeconds { get; set; } = 30;

    /// <summary>The URL providers call, when a proxy makes the request URL differ (Twilio signs it).</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Region (ISO 3166, e.g. `CN`) a phone searched for without a country code is read in (PhoneSearch).</summary>
    public string PhoneRegion { get; set; } = "CN";

    /// <summary>Reverse proxies whose `X-Forwarded-For` gives the client address (addresses or CIDRs; see TrustedProxies).</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Database schema for the event store and documents.</summary>
    public string Schema { get; set; } = "ledger";

    /// <summary>`Providers:{provider}:{account}`; the account `default` serves routes that name none.</summary>
    public Dictionary<string, Dictionary<string, ProviderAccount>> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The settings of one account, or null when it is not configured. A provider with no configured
    /// account at all has an implicit `default` so a fresh service works out of the box: for callers on
    /// this machine only (<see cref="ProviderAccount.LoopbackOnly"/>; the service says so at start).
    /// </summary>
    public ProviderAccount? Account(string provider, string? account)
    {
        var name = string.IsNullOrEmpty(account) ? "default" : account;
        if (Providers.TryGetValue(provider, out var accounts) && accounts.Count > 0)
        {
            foreach (var (key, value) in accounts)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value.Name = key;
                    return value;
                }
            }

            return null;
        }

        return name == "default" ? ProviderAccount.ImplicitDefault() : null;
    }
}
