namespace Ledger.Providers;

/// <summary>
/// One provider account's settings, bound from `Ledger:Providers:{provider}:{account}` (docs/configuration.md).
/// Secrets are a list so that an old and a new one can both verify during rotation.
/// </summary>
public sealed class ProviderAccount
{
    public string Name { get; set; } = "default";
    public List<string> Secrets { get; set; } = [];
    public string? SignatureMethod { get; set; }
    public string? Token { get; set; }
    public List<string> AllowedCidrs { get; set; } = [];
    public int TimestampToleranceSeconds { get; set; } = 300;
    public string? Charset { get; set; }

    /// <summary>
    /// An account of a provider that signs nothing, with neither <see cref="Token"/> nor <see cref="AllowedCidrs"/>,
    /// accepts callbacks from anyone: the service refuses to start with one unless this says so explicitly
    /// (`…__AllowUnauthenticated=true`, e.g. behind a gateway that verifies).
    /// </summary>
    public bool AllowUnauthenticated { get; set; }

    /// <summary>
    /// The implicit `default` account of a provider with no account configured: it answers callers on this
    /// machine only (README's first try works; nobody on the network can write reports).
    /// </summary>
    public bool LoopbackOnly { get; private init; }

    /// <summary>The account a provider with no configured account has: `default`, for this machine only.</summary>
    public static ProviderAccount ImplicitDefault() => new() { Name = "default", LoopbackOnly = true };

    /// <summary>Query-API credentials (`…__Pull__…`, docs/configuration.md), null when the account does not pull.</summary>
    public Pull.PullSettings? Pull { get; set; }

    /// <summary>Provider-specific options (e.g. the generic scheme's field names), as configured.</summary>
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>`Options:VerifyMode` value that skips the signed-timestamp window (replay/audit of old requests).</summary>
    public const string IgnoreTimestampMode = "ignore-timestamp";

    /// <summary>Whether this account holds signed timestamps to <see cref="TimestampToleranceSeconds"/> (`Options:VerifyMode`).</summary>
    public bool IgnoresTimestamp => Options.TryGetValue("VerifyMode", out var mode) && mode == IgnoreTimestampMode;

    public override string ToString() => $"account {Name}"; // never the secrets
}
