using JasperFx.Environment;
using Ledger.Providers;
using Ledger.Providers.Generic;
using Ledger.Providers.Huawei;
using Ledger.Providers.Pull;

namespace Ledger.Web.Cli;

/// <summary>
/// What would make the ledger refuse every callback of an account, found before the first provider
/// calls: missing signing secrets, Twilio without the public URL it signs, tokens and CIDRs that do not
/// parse. Run by `verify-config` (no database needed) and registered with JasperFx's `check-env`.
/// </summary>
public static class ConfigurationCheck
{
    /// <summary>Providers that sign their requests and cannot be verified without a secret.</summary>
    public static readonly IReadOnlySet<string> SecretRequired = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "twilio", "baidu", "generic" };

    private static readonly Dictionary<string, string[]> SignatureMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["vonage"] = ["md5hash", "md5", "sha1", "sha256", "sha512"],
    };

    /// <returns>One line per problem, naming the configuration key to set; empty when all is well.</returns>
    public static IReadOnlyList<string> Problems(LedgerOptions options, IReadOnlyCollection<string> knownProviders)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl)
            && (!Uri.TryCreate(options.PublicBaseUrl.Trim(), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https")))
        {
            problems.Add($"Ledger__PublicBaseUrl '{options.PublicBaseUrl}' is not an absolute http(s) URL.");
        }

        if (!Messages.PhoneSearch.IsKnownRegion(options.PhoneRegion))
        {
            problems.Add($"Ledger__PhoneRegion '{options.PhoneRegion}' is not a region code libphonenumber knows (e.g. CN, US, GB).");
        }

        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!CidrParses(options.TrustedProxies[i]))
            {
                problems.Add($"Ledger__TrustedProxies__{i} '{options.TrustedProxies[i]}' is not an address or CIDR (e.g. 10.0.0.0/8).");
            }
        }

        foreach (var (provider, accounts) in options.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!knownProviders.Contains(provider, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"Ledger__Providers__{provider}: no provider is called '{provider}'. Known providers: {string.Join(", ", knownProviders.Order())}.");
                continue;
            }

            if (provider.Equals("twilio", StringComparison.OrdinalIgnoreCase) && accounts.Count > 0 && string.IsNullOrWhiteSpace(options.PublicBaseUrl))
            {
                problems.Add("Ledger__PublicBaseUrl is not set, but twilio is configured: Twilio signs the public URL it calls, so set the URL it is configured with (e.g. https://ledger.example.com).");
            }

            foreach (var (name, account) in accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                var key = $"Ledger__Providers__{provider}__{name}";
                var unsignedGeneric = IsGeneric(provider) && string.Equals(account.SignatureMethod?.Trim(), GenericScheme.Unsigned, StringComparison.OrdinalIgnoreCase);
                if (SecretRequired.Contains(provider) && !unsignedGeneric && !account.Secrets.Any(s => !string.IsNullOrWhiteSpace(s)))
                {
                    problems.Add($"{key}__Secrets__0 is not set: {provider} signs its callbacks, and without a secret every callback of account '{name}' is refused.");
                }

                if (provider.Equals("huawei", StringComparison.OrdinalIgnoreCase) && HuaweiAdapter.IsSigned(account))
                {
                    var hasKey = account.Options.TryGetValue(HuaweiAdapter.AppKeyOption, out var appKey) && !string.IsNullOrWhiteSpace(appKey);
                    var hasSecret = account.Secrets.Any(s => !string.IsNullOrWhiteSpace(s));
                    if (!hasKey || !hasSecret)
                    {
                        problems.Add(hasKey
                            ? $"{key}__Secrets__0 is not set: the account has an app key, so it requires AK/SK-signed callbacks, and without the app secret every callback of account '{name}' is refused."
                            : $"{key}__Options__AppKey is not set: the account has app secrets, so it requires AK/SK-signed callbacks, and without the app key every callback of account '{name}' is refused.");
                    }
                }

                if (account.Token is { } token && (token.Length == 0 || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                {
                    problems.Add($"{key}__Token is empty or contains spaces or control characters; providers would not send it back intact.");
                }

                for (var i = 0; i < account.AllowedCidrs.Count; i++)
                {
                    if (!CidrParses(account.AllowedCidrs[i]))
                    {
                        problems.Add($"{key}__AllowedCidrs__{i} '{account.AllowedCidrs[i]}' is not an address or CIDR (e.g. 203.0.113.0/24).");
                    }
                }

                if (account.TimestampToleranceSeconds <= 0)
                {
                    problems.Add($"{key}__TimestampToleranceSeconds must be positive (default 300).");
                }

                if (account.SignatureMethod is { } method && SignatureMethods.TryGetValue(provider, out var methods)
                    && !methods.Contains(method, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add($"{key}__SignatureMethod '{method}' is not one of {string.Join(", ", methods)}.");
                }

                if (IsGeneric(provider))
                {
                    problems.AddRange(GenericProblems(name, account));
                }

                if (!SecretRequired.Contains(provider) && Unguarded(provider, account) && !account.AllowUnauthenticated)
                {
                    problems.Add(UnguardedProblem(provider, name));
                }

                if (account.Pull is { } pull)
                {
                    problems.AddRange(PullProblems(provider, name, pull));
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// An account's query-API settings (`…__Pull__…`) that could never make a call: a provider without a
    /// query API, a credential missing, an endpoint that is not an absolute http(s) URL. Names keys, never values.
    /// </summary>
    public static IReadOnlyList<string> PullProblems(string provider, string account, PullSettings pull)
    {
        if (!PullSettings.Required.ContainsKey(provider))
        {
            return [$"Ledger__Providers__{provider}__{account}__{PullSettings.Section}: {provider} has no status query API the ledger can call; its reports come by push only (remove these settings)."];
        }

        var problems = pull.Missing(provider)
            .Select(name => $"{PullSettings.Key(provider, account, name)} is not set: pulling {provider} reports for account '{account}' needs it.")
            .ToList();
        if (!string.IsNullOrWhiteSpace(pull.Endpoint)
            && (!Uri.TryCreate(pull.Endpoint.Trim(), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            problems.Add($"{PullSettings.Key(provider, account, nameof(PullSettings.Endpoint))} '{pull.Endpoint}' is not an absolute http(s) URL.");
        }

        return problems;
    }

    private static string UnguardedProblem(string provider, string name) =>
        $"Ledger__Providers__{provider}__{name} has neither Token nor AllowedCidrs{(provider is "vonage" or "huawei" ? " nor signing secrets" : "")}: " +
        $"{provider} signs nothing, so anyone could write reports for account '{name}'. Set Ledger__Providers__{provider}__{name}__Token " +
        $"(or __AllowedCidrs__0), or accept that explicitly with Ledger__Providers__{provider}__{name}__AllowUnauthenticated=true.";

    /// <summary>
    /// Settings the service refuses to start with, since they would refuse every callback or accept anyone's:
    /// unreadable generic schemes, and unsigned accounts with no guard that do not say <c>AllowUnauthenticated</c>.
    /// </summary>
    public static IReadOnlyList<string> StartProblems(LedgerOptions options) =>
        [.. GenericProblems(options), .. options.Providers
            .Where(p => !SecretRequired.Contains(p.Key) && ProviderCatalog.Default().Find(p.Key) is not null)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Value.OrderBy(a => a.Key, StringComparer.Ordinal)
                .Where(a => Unguarded(p.Key, a.Value) && !a.Value.AllowUnauthenticated)
                .Select(a => UnguardedProblem(p.Key.ToLowerInvariant(), a.Key)))];

    /// <summary>
    /// A generic account's scheme settings that cannot be read (field paths, formats, where the signature
    /// is, unsigned without a guard): the service refuses to start with any, since every callback of that
    /// account would be refused.
    /// </summary>
    public static IReadOnlyList<string> GenericProblems(LedgerOptions options) =>
        [.. options.Providers.Where(p => IsGeneric(p.Key))
            .SelectMany(p => p.Value.OrderBy(a => a.Key, StringComparer.Ordinal))
            .SelectMany(a => GenericProblems(a.Key, a.Value))];

    private static IReadOnlyList<string> GenericProblems(string name, ProviderAccount account)
    {
        account.Name = name; // the binder leaves the default; the messages name the account's keys
        return GenericScheme.Problems(account);
    }

    /// <summary>
    /// The accounts that take callbacks from anyone, unverified, because they say so (`AllowUnauthenticated`):
    /// a provider that signs nothing (or whose signature is optional: Vonage, Huawei) with neither secrets,
    /// `Token` nor `AllowedCidrs`. (Without that setting such an account stops the start: <see cref="StartProblems"/>.)
    /// </summary>
    public static IReadOnlyList<string> OpenAccounts(LedgerOptions options, IReadOnlyCollection<string> knownProviders)
    {
        var open = new List<string>();
        foreach (var provider in knownProviders.Where(p => !SecretRequired.Contains(p)).Order(StringComparer.Ordinal))
        {
            var accounts = options.Providers.FirstOrDefault(p => p.Key.Equals(provider, StringComparison.OrdinalIgnoreCase)).Value;
            if (accounts is not null)
            {
                open.AddRange(accounts.Where(a => Unguarded(provider, a.Value) && a.Value.AllowUnauthenticated)
                    .Select(a => $"{provider}/{a.Key}").Order(StringComparer.Ordinal));
            }
        }

        return open;
    }

    /// <summary>Providers that sign nothing and have no account configured: their implicit `default` answers this machine only.</summary>
    public static IReadOnlyList<string> LoopbackOnly(LedgerOptions options, IReadOnlyCollection<string> knownProviders) =>
        [.. knownProviders.Where(p => !SecretRequired.Contains(p)
                && options.Providers.FirstOrDefault(x => x.Key.Equals(p, StringComparison.OrdinalIgnoreCase)).Value is not { Count: > 0 })
            .Order(StringComparer.Ordinal)];

    /// <summary>Providers with no account that refuse every callback until their secrets are configured.</summary>
    public static IReadOnlyList<string> ClosedUntilConfigured(LedgerOptions options, IReadOnlyCollection<string> knownProviders) =>
        [.. knownProviders.Where(p => SecretRequired.Contains(p) && !options.Providers.Keys.Contains(p, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];

    private static bool Unguarded(string provider, ProviderAccount account) =>
        string.IsNullOrWhiteSpace(account.Token)
        && account.AllowedCidrs.Count == 0
        && !(provider is "vonage" or "huawei" && (account.Secrets.Any(s => !string.IsNullOrWhiteSpace(s)) || HuaweiAdapter.IsSigned(account)));

    private static bool IsGeneric(string provider) => provider.Equals("generic", StringComparison.OrdinalIgnoreCase);

    /// <summary>The same forms <see cref="UnsignedGuard.AddressAllowed"/> accepts: a CIDR or a single address.</summary>
    public static bool CidrParses(string cidr) => UnsignedGuard.Network(cidr) is not null;

    /// <summary>Adds the check to JasperFx's `check-env`.</summary>
    public static IServiceCollection AddLedgerConfigurationCheck(this IServiceCollection services, IConfiguration configuration)
    {
        services.CheckEnvironment("Ledger provider accounts (secrets, PublicBaseUrl, tokens, CIDRs)", _ =>
        {
            var problems = Problems(configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions(), ProviderCatalog.Default().Names);
            if (problems.Count > 0)
            {
                // JasperFx's summary names only the failed check; say what is wrong and which key to set.
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine($"check-env: {problem}");
                }

                throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
            }
        });
        return services;
    }
}
