namespace Ledger.Providers.Pull;

/// <summary>
/// Query-API credentials of one provider account, bound from
/// `Ledger:Providers:{provider}:{account}:Pull` (docs/providers.md): Alibaba `AccessKeyId`,
/// `AccessKeySecret`; Tencent `SecretId`, `SecretKey`, `SdkAppId`, `Region`; Twilio `AccountSid`,
/// `AuthToken`; any of them `Endpoint` to point at another API base URL (a test double, a regional host).
/// These are API credentials, not the callback signing secrets of `Secrets`.
/// </summary>
public sealed record PullSettings
{
    /// <summary>The configuration section under an account that holds these settings.</summary>
    public const string Section = "Pull";

    public string? AccessKeyId { get; init; }
    public string? AccessKeySecret { get; init; }
    public string? SecretId { get; init; }
    public string? SecretKey { get; init; }
    public string? SdkAppId { get; init; }
    public string? Region { get; init; }
    public string? AccountSid { get; init; }
    public string? AuthToken { get; init; }
    public string? Endpoint { get; init; }

    /// <summary>
    /// The settings each provider's query API cannot be called without; a provider not listed has no query API.
    /// The one list: the query clients refuse through <see cref="NotReady"/>, `verify-config` reports through
    /// <see cref="Missing"/>, so the two cannot disagree about what an account needs.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> Required = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["aliyun"] = [nameof(AccessKeyId), nameof(AccessKeySecret)],
        ["tencent"] = [nameof(SecretId), nameof(SecretKey), nameof(SdkAppId)],
        ["twilio"] = [nameof(AccountSid), nameof(AuthToken)],
    };

    /// <summary>The required settings of <paramref name="provider"/>'s query API that are not set (all of them for a provider without one).</summary>
    public IReadOnlyList<string> Missing(string provider) =>
        Required.TryGetValue(provider, out var names) ? [.. names.Where(name => string.IsNullOrWhiteSpace(Value(name)))] : [];

    /// <summary>
    /// Why <paramref name="provider"/>'s query API cannot be called for <paramref name="account"/> with these
    /// settings, naming the keys to set (never a value); null when every required setting is present.
    /// </summary>
    public string? NotReady(string provider, string account)
    {
        var missing = Missing(provider);
        return missing.Count == 0
            ? null
            : $"{provider}'s query API cannot be called without {string.Join(", ", missing.Select(name => Key(provider, account, name)))}: set {(missing.Count == 1 ? "it" : "them")}.";
    }

    private string? Value(string name) => name switch
    {
        nameof(AccessKeyId) => AccessKeyId,
        nameof(AccessKeySecret) => AccessKeySecret,
        nameof(SecretId) => SecretId,
        nameof(SecretKey) => SecretKey,
        nameof(SdkAppId) => SdkAppId,
        nameof(Region) => Region,
        nameof(AccountSid) => AccountSid,
        nameof(AuthToken) => AuthToken,
        nameof(Endpoint) => Endpoint,
        _ => null,
    };

    /// <summary>The environment-form key of a setting, for messages that tell an operator what to set.</summary>
    public static string Key(string provider, string account, string name) =>
        $"Ledger__Providers__{provider}__{account}__{Section}__{name}";

    /// <summary>Names which settings are present, never their values: this text ends up in logs.</summary>
    public override string ToString()
    {
        var set = new List<string>();
        Add(nameof(AccessKeyId), AccessKeyId);
        Add(nameof(AccessKeySecret), AccessKeySecret);
        Add(nameof(SecretId), SecretId);
        Add(nameof(SecretKey), SecretKey);
        Add(nameof(SdkAppId), SdkAppId);
        Add(nameof(Region), Region);
        Add(nameof(AccountSid), AccountSid);
        Add(nameof(AuthToken), AuthToken);
        Add(nameof(Endpoint), Endpoint);
        return $"PullSettings {{ set: {(set.Count == 0 ? "none" : string.Join(", ", set))} }}";

        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                set.Add(name);
            }
        }
    }
}
