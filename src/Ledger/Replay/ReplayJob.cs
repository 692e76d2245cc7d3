namespace Ledger.Replay;

/// <summary>What to replay (docs/api.md `POST /replays`). Every filter is optional; `To` is exclusive.</summary>
public sealed record ReplayOptions
{
    public string? Provider { get; init; }
    public string? Account { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public IReadOnlyList<string>? MessageKeys { get; init; }
    public bool IncludeQuarantine { get; init; }
    public bool DryRun { get; init; }

    /// <summary>A reason the options cannot run, or null.</summary>
    public string? Problem()
    {
        if (From is { } from && To is { } to && to <= from)
        {
            return $"'to' ({to:O}) must be after 'from' ({from:O}).";
        }

        if (MessageKeys is { Count: > 0 } && string.IsNullOrWhiteSpace(Provider))
        {
            return "'messageKeys' are the provider's own ids: name the 'provider' too.";
        }

        return null;
    }
}

public static class ReplayStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>
/// A replay, as a document: its options, where it stands and what it found. The runner saves it after
/// every chunk in the same transaction as that chunk's events, so <see cref="Cursor"/> and the counts
/// always match what is committed and a restarted job continues after the last committed chunk.
/// </summary>
public sealed record ReplayJob
{
    public const int SampleSize = 20;

    public Guid Id { get; init; }
    public ReplayOptions Options { get; init; } = new();
    public string State { get; init; } = ReplayStates.Queued;
    public bool DryRun => Options.DryRun;
    public int ChunkSize { get; init; } = 100;

    /// <summary>Requests re-read (accepted ones, and quarantined ones when they are included).</summary>
    public long Scanned { get; init; }
    public long Corrected { get; init; }
    public long Rescued { get; init; }

    /// <summary>All differences found, including those not applied (dry run, or not correctable).</summary>
    public long Differences { get; init; }
    public IReadOnlyList<ReplayDifference> Sample { get; init; } = [];

    /// <summary>The id of the last raw request whose chunk is committed (request ids are time-ordered UUIDv7).</summary>
    public Guid? Cursor { get; init; }
    public string StartedBy { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Error { get; init; }

    public bool Finished => State is ReplayStates.Completed or ReplayStates.Failed;

    public static ReplayJob Queue(ReplayOptions options, string startedBy, DateTimeOffset now, int chunkSize = 100) => new()
    {
        Id = Guid.CreateVersion7(now),
        Options = options with { Provider = options.Provider?.ToLowerInvariant() },
        StartedBy = startedBy,
        CreatedAt = now,
        ChunkSize = Math.Max(1, chunkSize),
    };
}

public static class DifferenceKinds
{
    /// <summary>Today's parser reads the item differently: an InterpretationCorrected (unless dry run).</summary>
    public const string Corrected = "corrected";

    /// <summary>A quarantined request today's parser reads and verifies: routed into its message and reply streams.</summary>
    public const string Rescued = "rescued";

    /// <summary>Accepted at receipt, refused by today's parser: reported, nothing appended.</summary>
    public const string NowRefused = "now_refused";

    /// <summary>Today's parser keys the item to a message whose stream holds no such item: reported only.</summary>
    public const string KeyChanged = "key_changed";
}

/// <summary>One difference between what we recorded and what today's parser reads; flat, for CSV.</summary>
public sealed record ReplayDifference
{
    /// <summary>`{replayId}/{requestId}/{itemIndex}`: a chunk that runs twice stores the same rows.</summary>
    public string Id { get; init; } = "";
    public Guid ReplayId { get; init; }
    public string Kind { get; init; } = DifferenceKinds.Corrected;
    public bool Applied { get; init; }
    public string Provider { get; init; } = "";
    public string? Account { get; init; }
    public string? MessageKey { get; init; }
    public Guid RequestId { get; init; }
    public int ItemIndex { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public string? PreviousStatus { get; init; }
    public bool? PreviousFinal { get; init; }
    public string? PreviousProviderStatus { get; init; }
    public string? PreviousErrorCode { get; init; }
    public DateTimeOffset? PreviousReportedAt { get; init; }
    public string? PreviousParserVersion { get; init; }
    public string? CorrectedStatus { get; init; }
    public bool? CorrectedFinal { get; init; }
    public string? CorrectedProviderStatus { get; init; }
    public string? CorrectedErrorCode { get; init; }
    public DateTimeOffset? CorrectedReportedAt { get; init; }
    public string? CorrectedParserVersion { get; init; }
    public string? Detail { get; init; }

    /// <summary>Set on a reply's row (`{provider}:reply:{replyId}`), where <see cref="MessageKey"/> is null.</summary>
    public string? ReplyId { get; init; }
}
