using System.Text;
using Ledger.Events;

namespace Ledger.Web.Webhooks;

/// <summary>`Ledger:Webhooks`: who hears about status changes, and how hard the ledger tries.</summary>
public sealed class WebhookOptions
{
    public Dictionary<string, WebhookSubscriberOptions> Subscribers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Delay before each retry (`RetryDelays__0`, … as `hh:mm:ss`); a delivery failing once more after the
    /// last one is parked. Empty: <see cref="DefaultRetryDelays"/> (about 25 h in all).
    /// </summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>Each retry waits its delay plus up to this fraction more, at random (jitter).</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Per attempt: no answer within this is a failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often Wolverine looks for scheduled retries that are due (its default, 5 s, when unset).</summary>
    public TimeSpan? RetryPollingInterval { get; set; }

    /// <summary>Deliveries in flight at once per instance.</summary>
    public int MaxParallelDeliveries { get; set; } = 8;

    /// <summary>1 s, 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 3 h, 6 h, 6 h, 6 h: 24 h 43 min before parking (jitter adds up to 20 %).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays.Count > 0 ? RetryDelays : DefaultRetryDelays;
}

/// <summary>`Ledger:Webhooks:Subscribers:{name}`.</summary>
public sealed class WebhookSubscriberOptions
{
    public string Url { get; set; } = "";

    /// <summary>Standard Webhooks `whsec_{base64}`, or any other text used as raw bytes (UTF-8).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Only these providers (empty: all).</summary>
    public List<string> Providers { get; set; } = [];

    /// <summary>Only these account names (empty: all).</summary>
    public List<string> Accounts { get; set; } = [];

    /// <summary>Only changes to these statuses (`pending`, `delivered`, `failed`, `unknown`; empty: all).</summary>
    public List<string> Statuses { get; set; } = [];

    /// <summary>Also every applied report that leaves the normalized status as it was (`sent` after `queued`, a newer failure).</summary>
    public bool IncludeIntermediate { get; set; }

    /// <summary>Also `reply.received` for replies from phones of the subscriber's providers and accounts (statuses do not filter them).</summary>
    public bool Replies { get; set; } = true;
}

/// <summary>One configured subscriber, validated.</summary>
public sealed class WebhookSubscriber
{
    private readonly HashSet<string> _providers;
    private readonly HashSet<string> _accounts;
    private readonly HashSet<DeliveryStatus> _statuses;

    public WebhookSubscriber(string name, WebhookSubscriberOptions options)
    {
        Name = name;
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"Ledger:Webhooks:Subscribers:{name}:Url must be an absolute http(s) URL; got '{options.Url}'.");
        }

        Url = url;
        Secret = SecretBytes(name, options.Secret);
        IncludeIntermediate = options.IncludeIntermediate;
        Replies = options.Replies;
        _providers = new HashSet<string>(options.Providers.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()), StringComparer.OrdinalIgnoreCase);
        _accounts = new HashSet<string>(options.Accounts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()), StringComparer.OrdinalIgnoreCase);
        _statuses = [];
        foreach (var status in options.Statuses.Where(s => !string.IsNullOrWhiteSpace(s)))
        {
            if (!Enum.TryParse<DeliveryStatus>(status.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                throw new InvalidOperationException(
                    $"Ledger:Webhooks:Subscribers:{name}:Statuses has '{status}'; use pending, delivered, failed or unknown.");
            }

            _statuses.Add(parsed);
        }
    }

    public string Name { get; }
    public Uri Url { get; }
    public byte[] Secret { get; }
    public bool IncludeIntermediate { get; }
    public bool Replies { get; }

    public bool WantsReply(string provider, string account) =>
        Replies && (_providers.Count == 0 || _providers.Contains(provider)) && (_accounts.Count == 0 || _accounts.Contains(account));

    public bool Wants(StatusChange change) =>
        (!change.Intermediate || IncludeIntermediate)
        && (_providers.Count == 0 || _providers.Contains(change.Provider))
        && (_accounts.Count == 0 || _accounts.Contains(change.Account))
        && (_statuses.Count == 0 || _statuses.Contains(change.Status));

    /// <summary>Standard Webhooks: `whsec_` + base64 of the key bytes; anything else is the key itself (UTF-8).</summary>
    public static byte[] SecretBytes(string name, string secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            throw new InvalidOperationException($"Ledger:Webhooks:Subscribers:{name}:Secret is empty; every subscriber needs a signing secret.");
        }

        if (!secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes(secret);
        }

        try
        {
            return Convert.FromBase64String(secret["whsec_".Length..]);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Ledger:Webhooks:Subscribers:{name}:Secret starts with whsec_ but the rest is not base64.");
        }
    }
}

/// <summary>The configured subscribers (possibly none), read once at start.</summary>
public sealed class WebhookSubscribers
{
    private readonly Dictionary<string, WebhookSubscriber> _byName;

    public WebhookSubscribers(WebhookOptions options)
    {
        Options = options;
        _byName = options.Subscribers.ToDictionary(kv => kv.Key, kv => new WebhookSubscriber(kv.Key, kv.Value), StringComparer.OrdinalIgnoreCase);
        All = [.. _byName.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    public WebhookOptions Options { get; }

    public IReadOnlyList<WebhookSubscriber> All { get; }

    public bool Any => All.Count > 0;

    public WebhookSubscriber? Find(string name) => _byName.GetValueOrDefault(name);
}
