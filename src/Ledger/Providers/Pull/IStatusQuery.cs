using Ledger.Events;

namespace Ledger.Providers.Pull;

/// <summary>
/// A provider's status query API, asked once (docs/rules.md rule 9: reports that never come are fetched).
/// One call is one HTTP exchange, so every raw answer can be kept as evidence on its own; the caller
/// pages (<see cref="PullAnswer.NextPage"/>) and spreads message keys over calls.
/// </summary>
public interface IStatusQuery
{
    /// <summary>The provider name used in routes and configuration (`aliyun`, `tencent`, `twilio`).</summary>
    string Provider { get; }

    /// <summary>
    /// Asks the provider once. Provider refusals (throttling, wrong credentials, unreadable answers,
    /// unreachable API) come back as <see cref="PullAnswer.Error"/>, never as exceptions; only
    /// cancellation throws, and a request the provider cannot express throws <see cref="ArgumentException"/>.
    /// </summary>
    Task<PullAnswer> QueryAsync(PullRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// What to ask. <paramref name="From"/> and <paramref name="To"/> bound the send time; a message's
/// `sentAt` is the natural <paramref name="From"/>. Alibaba and Twilio ask about exactly one message key
/// per call; Tencent asks about one phone number over the range and answers every message it finds.
/// </summary>
public sealed record PullRequest(
    string Account,
    PullSettings Settings,
    string? Phone,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string> MessageKeys,
    int Page = 1);

/// <summary>One report read from a query answer: like a pushed item, its raw text is kept beside the reading.</summary>
public sealed record PulledReport(string MessageKey, string RawItem, Report Report);

/// <summary>
/// The request as we sent it, minus what authenticates it (access key ids, signatures, Authorization):
/// enough to show what was asked, never enough to ask again in our name.
/// </summary>
public sealed record SentRequest(string Method, string Url, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body)
{
    public const string Redacted = "[redacted]";
}

public enum PullErrorKind
{
    /// <summary>The account's Pull settings are incomplete; nothing was sent.</summary>
    Configuration,

    /// <summary>The provider refused our credentials (unknown key, wrong secret, bad signature).</summary>
    Credentials,

    /// <summary>The provider asked us to slow down; see <see cref="PullAnswer.RetryAfter"/>.</summary>
    Throttled,

    /// <summary>The provider answered with an error of its own (its code is kept).</summary>
    Provider,

    /// <summary>The answer could not be read as the documented shape.</summary>
    Unreadable,

    /// <summary>No answer: connection refused, reset, timed out.</summary>
    Transport,
}

/// <summary>Why a query found nothing usable, with the provider's own code where it gave one and a detail a person can act on.</summary>
public sealed record PullError(PullErrorKind Kind, string? ProviderCode, string Detail);

/// <summary>
/// One query's outcome. <see cref="Body"/> is the answer byte for byte as received (empty when nothing
/// came back); <see cref="Reports"/> holds what the parser read from it, keyed by message key (a key can
/// have several reports, e.g. one per page visit or per resend).
/// </summary>
public sealed record PullAnswer(
    string Provider,
    string Account,
    SentRequest Request,
    int? HttpStatus,
    string? ContentType,
    byte[] Body,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, IReadOnlyList<PulledReport>> Reports,
    PullError? Error,
    TimeSpan? RetryAfter,
    int? NextPage)
{
    public bool Throttled => Error?.Kind == PullErrorKind.Throttled;

    public bool CredentialsRefused => Error?.Kind == PullErrorKind.Credentials;
}

/// <summary>What a provider's pure reader makes of one answer; the client adds the exchange around it.</summary>
public sealed record PullReading(
    IReadOnlyList<PulledReport> Reports,
    PullError? Error = null,
    TimeSpan? RetryAfter = null,
    int? NextPage = null)
{
    public static PullReading Failed(PullErrorKind kind, string? code, string detail, TimeSpan? retryAfter = null) =>
        new([], new PullError(kind, code, detail), retryAfter);

    public static IReadOnlyDictionary<string, IReadOnlyList<PulledReport>> ByKey(IEnumerable<PulledReport> reports) =>
        reports.GroupBy(r => r.MessageKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<PulledReport>)[.. g], StringComparer.Ordinal);
}
