namespace Ledger.Web.Pulls;

/// <summary>`POST /pulls` (docs/api.md): what to ask one provider account about. `To` is exclusive.</summary>
public sealed record StartPull(string? Provider, string? Account, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<string>? MessageKeys);

/// <summary>Work for the `pulls` durable local queue: run (or resume) a pull job from its cursor.</summary>
public sealed record RunPull(Guid PullId);

public static class PullStates
{
    public const string Queued = "queued";
    public const string Running = "running";

    /// <summary>The provider throttled us: the job waits for <see cref="PullJob.NextAttemptAt"/>, then continues.</summary>
    public const string Waiting = "waiting";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>
/// A pull (docs/rules.md rule 9) as a document: what it asks, where it stands, what it found. Saved after
/// every message it asked about, so a job handed back by the durable inbox after a restart continues
/// after <see cref="Cursor"/>; a message asked twice (crash between its append and the job's save) only
/// adds a duplicate, which the fold recognises.
/// </summary>
public sealed record PullJob
{
    public Guid Id { get; init; }
    public string Provider { get; init; } = "";
    public string Account { get; init; } = "";
    public DateTimeOffset From { get; init; }
    public DateTimeOffset To { get; init; }

    /// <summary>The messages asked about, in order; null: every message of the account sent in the range with no final report.</summary>
    public IReadOnlyList<string>? MessageKeys { get; init; }

    /// <summary>`api`, `cli:{user}`, or `sweep` (the background sweep of `Ledger:Pull:AfterMinutes`).</summary>
    public string StartedBy { get; init; } = "";
    public string State { get; init; } = PullStates.Queued;

    /// <summary>Calls made to the provider's API (throttled ones included).</summary>
    public long Asked { get; init; }

    /// <summary>Reports read from the answers for the messages asked about.</summary>
    public long Found { get; init; }

    /// <summary>Reports that changed or added to what a message knew; <see cref="Duplicates"/>: repeats of a report on record.</summary>
    public long Appended { get; init; }
    public long Duplicates { get; init; }

    /// <summary>Messages the provider could not answer about (its own error, an unreadable answer, no answer, another account's message).</summary>
    public long Errors { get; init; }
    public string? LastError { get; init; }

    /// <summary>Throttled answers, and how many came in a row (the back-off's exponent).</summary>
    public long Throttled { get; init; }
    public int ThrottledInARow { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Messages done, and the message key after which the job continues (ordinal order).</summary>
    public long Messages { get; init; }
    public string? Cursor { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    public bool Finished => State is PullStates.Completed or PullStates.Failed;

    public static PullJob Queue(string provider, string account, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? keys,
        string startedBy, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(now),
            Provider = provider,
            Account = account,
            From = from,
            To = to,
            MessageKeys = keys is { Count: > 0 } ? [.. keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : null,
            StartedBy = startedBy,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>
    /// How long to wait after a throttled answer: the provider's Retry-After when it gave one, else
    /// <paramref name="first"/> doubled for each throttled answer in a row, never more than <paramref name="longest"/>.
    /// </summary>
    public static TimeSpan Backoff(int inARow, TimeSpan? retryAfter, TimeSpan first, TimeSpan longest)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked < longest ? asked : longest;
        }

        var doubled = first * Math.Pow(2, Math.Clamp(inARow - 1, 0, 20));
        return doubled < longest ? doubled : longest;
    }
}

/// <summary>`GET /pulls/{id}` (docs/api.md).</summary>
public sealed record PullView(
    Guid Id,
    string Provider,
    string Account,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string>? MessageKeys,
    string State,
    long Asked,
    long Found,
    long Appended,
    long Duplicates,
    long Errors,
    string? LastError,
    long Throttled,
    DateTimeOffset? NextAttemptAt,
    long Messages,
    string StartedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt)
{
    public static PullView Of(PullJob job) => new(
        job.Id, job.Provider, job.Account, job.From, job.To, job.MessageKeys, job.State, job.Asked, job.Found, job.Appended,
        job.Duplicates, job.Errors, job.LastError, job.Throttled, job.NextAttemptAt, job.Messages, job.StartedBy, job.CreatedAt,
        job.StartedAt, job.CompletedAt);
}
