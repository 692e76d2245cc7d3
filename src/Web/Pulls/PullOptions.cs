using Ledger.Providers.Aliyun;
using Ledger.Providers.Pull;
using Ledger.Providers.Tencent;
using Ledger.Providers.Twilio;

namespace Ledger.Web.Pulls;

/// <summary>`Ledger:Pull` (docs/providers.md, "Pulling reports that never came").</summary>
public sealed class PullOptions
{
    /// <summary>A registered message with no final report this long after `sentAt` is pulled by the sweep.</summary>
    public int AfterMinutes { get; set; } = 30;

    /// <summary>Pause between two calls of one job: the job never bursts against the provider's rate limit.</summary>
    public int DelayMilliseconds { get; set; } = 200;

    /// <summary>First wait after a throttled answer without Retry-After; doubled for each one in a row.</summary>
    public double BackoffSeconds { get; set; } = 5;

    /// <summary>The longest wait after throttled answers (Retry-After included).</summary>
    public double MaxBackoffSeconds { get; set; } = 600;

    /// <summary>Pulls that found no final report after which a registered message is a resend candidate ("the pull gave up").</summary>
    public int GiveUpAfter { get; set; } = 3;

    /// <summary>How often the sweep looks for messages to pull; 0 turns the sweep off (on-demand pulls still run).</summary>
    public int SweepMinutes { get; set; } = 5;

    /// <summary>Most messages one sweep job asks about (the next sweep takes the rest).</summary>
    public int SweepBatch { get; set; } = 500;

    public TimeSpan After => TimeSpan.FromMinutes(AfterMinutes);

    public TimeSpan Delay => TimeSpan.FromMilliseconds(Math.Max(0, DelayMilliseconds));

    public TimeSpan FirstBackoff => TimeSpan.FromSeconds(Math.Max(0.1, BackoffSeconds));

    public TimeSpan LongestBackoff => TimeSpan.FromSeconds(Math.Max(BackoffSeconds, MaxBackoffSeconds));
}

/// <summary>One provider's query API and how far back it answers.</summary>
/// <param name="Window">How old a message the API still answers about (null: no documented limit).</param>
public sealed record PullProvider(IStatusQuery Query, TimeSpan? Window)
{
    public string Name => Query.Provider;

    /// <summary>The sweep's look-back for a provider without a documented window: older reports than this are not chased automatically.</summary>
    public static readonly TimeSpan SweepLookBack = TimeSpan.FromDays(30);

    public TimeSpan SweepWindow => Window is { } w && w < SweepLookBack ? w : SweepLookBack;
}

/// <summary>
/// The providers that have a status query API the ledger can call (docs/providers.md, "Pulling reports that never came"). Every other
/// provider cannot pull: its reports only come by push.
/// </summary>
public sealed class PullProviders(IEnumerable<PullProvider> providers)
{
    private readonly Dictionary<string, PullProvider> _byName = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public PullProvider? Find(string provider) => _byName.GetValueOrDefault(provider);

    /// <summary>
    /// QuerySendDetails answers about the last 30 days ("支持查询最近30天的记录"); PullSmsSendStatusByPhoneNumber
    /// at most 7 days back ("最大可拉取当前时期前7天的数据"); a Twilio Message resource stays until it is deleted.
    /// </summary>
    public static PullProviders Create(HttpClient http, TimeProvider clock) => new(
    [
        new PullProvider(new AliyunQuery(http, clock), TimeSpan.FromDays(30)),
        new PullProvider(new TencentQuery(http, clock), TimeSpan.FromDays(7)),
        new PullProvider(new TwilioQuery(http, clock), null),
    ]);
}
