using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Ledger.Events;
using Ledger.Status;

namespace Ledger.Projections;

/// <summary>
/// Everything the ledger derives from one message stream `{provider}:{messageKey}`, in one document kept
/// inline by <see cref="MessageProjection"/>: the current status (docs/rules.md rule 4), the history entries
/// (what each event did), the finance fields (business day, billed parts, counts) and the little state
/// the rules need. One row per message, written with its events in the same transaction. Immutable: every
/// event gives a new document. Stored once: what the entries hold (the status's details, the fingerprints,
/// the version) is read from them, and counters at zero are left out (they read back as 0).
/// </summary>
public sealed record Message : IJsonOnDeserialized
{
    /// <summary>The stream's key `{provider}:{messageKey}`: the provider and message key are read from it, not stored again.</summary>
    public string Id
    {
        get => _id;
        init
        {
            _id = value;
            (Provider, MessageKey) = StreamKeys.OfMessage(value);
        }
    }

    private readonly string _id = "";

    /// <summary>From <see cref="Id"/>; kept in Marten's duplicated `provider` column for the finance index.</summary>
    [JsonIgnore]
    public string Provider { get; private init; } = "";

    /// <summary>The account that owns the message: its first report's or registration's (a registration names the billed account).</summary>
    public string Account { get; init; } = "";

    [JsonIgnore]
    public string MessageKey { get; private init; } = "";

    /// <summary>Events of the stream folded into this document: every event leaves one history entry (quick append shows inline projections version 0, so it is counted here).</summary>
    [JsonIgnore]
    public long StreamVersion => Entries.Count;

    public DeliveryStatus Status { get; init; } = DeliveryStatus.Pending;
    public bool Final { get; init; }

    /// <summary>What the report that set the status means for the sender, and whether sending again may succeed (null while pending).</summary>
    public FailureCategory? Category { get; init; }
    public bool? Retryable { get; init; }

    /// <summary>
    /// The history entry (index in <see cref="Entries"/>) holding the reading that set the status: the report's
    /// own entry, or the replay's correction of it. Null while no report set one. The status's details below
    /// are read from it rather than stored twice.
    /// </summary>
    public int? AppliedEntry { get => _appliedEntry; init => _appliedEntry = value; }

    private int? _appliedEntry;

    [JsonIgnore]
    public string? ProviderStatus => Applied?.ProviderStatus;

    [JsonIgnore]
    public string? ErrorCode => Applied?.ErrorCode;

    [JsonIgnore]
    public string? Description => Applied?.Description;

    [JsonIgnore]
    public DateTimeOffset? ReportedAt => Applied?.ProviderTime?.Utc;

    [JsonIgnore]
    public string? ReportedAtRaw => Applied?.ProviderTime?.Raw;

    [JsonIgnore]
    public string? ParserVersion => Applied?.ParserVersion;

    /// <summary>Ordering time of the report that set the status (provider time, else our receipt of its item).</summary>
    [JsonIgnore]
    public DateTimeOffset? EffectiveTime => Applied is { } entry ? entry.ProviderTime?.Utc ?? ItemReceivedAt(entry) : null;

    /// <summary>The phone as the first report or registration wrote it. Stored as `Phone` only when it is not just its digits.</summary>
    [JsonIgnore]
    public string? Phone
    {
        get => _phone ?? PhoneDigits;
        init
        {
            _phone = value;
            PhoneDigits = PhoneNumbers.Digits(value);
        }
    }

    private readonly string? _phone;

    [JsonInclude]
    [JsonPropertyName(nameof(Phone))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? StoredPhone { get => _phone == PhoneDigits ? null : _phone; init => Phone = value; }

    /// <summary>The phone's digits only: what `GET /messages?phone=` matches exactly (indexed), while views mask the phone.</summary>
    [JsonInclude]
    public string? PhoneDigits { get; private init; }

    /// <summary>
    /// Our receive times of the first and last report (default until one came: a registration or a rescue
    /// marker alone). The last is stored only when it is not the first (a message with one report).
    /// </summary>
    public DateTimeOffset FirstReceivedAt { get; init; }

    [JsonIgnore]
    public DateTimeOffset LastReceivedAt { get => _lastReceivedAt ?? FirstReceivedAt; init => _lastReceivedAt = value; }

    private readonly DateTimeOffset? _lastReceivedAt;

    [JsonInclude]
    [JsonPropertyName(nameof(LastReceivedAt))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private DateTimeOffset? StoredLastReceivedAt { get => _lastReceivedAt == FirstReceivedAt ? null : _lastReceivedAt; init => _lastReceivedAt = value; }

    public int CallbackCount { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int DuplicateCount { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ConflictCount { get; init; }

    /// <summary>Interpretations replaced by replays (`InterpretationCorrected`); finance's daily `corrected` sums it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int CorrectedCount { get; init; }

    public int? BilledParts { get; init; }
    public string? OutId { get; init; }

    /// <summary>Reports that came from the provider's query API (duplicates included, as `CallbackCount` counts them); finance's daily `pulled` sums it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PulledCount { get; init; }

    /// <summary>Pulls whose answer held no final report for this message (`PullFoundNoReport`), and when the last one ran: what "the pull gave up" is measured by.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PullsWithoutReport { get; init; }
    public DateTimeOffset? LastPulledAt { get; init; }

    /// <summary>
    /// Fingerprints of the reports seen, to recognise a re-pushed report as a duplicate: derived from the
    /// entries (<see cref="MessageProjection.Fingerprints"/>) when a stored document is first folded further,
    /// then carried from document to document by the fold. Never stored.
    /// </summary>
    [JsonIgnore]
    internal ImmutableHashSet<string>? Seen { get; init; }

    /// <summary>When the message was sent and registered (`MessageSubmitted`); null when never registered.</summary>
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>Business day (`yyyy-MM-dd`, reconciliation time zone) the message counts on: sent day, else earliest report day, else first receipt.</summary>
    public string Day { get; init; } = "";

    /// <summary>
    /// Every day the message was ever counted on lies between these: what "as of" totals look for. Null when
    /// it is <see cref="Day"/> (the usual case: a message counted on one day only), so it is stored only when
    /// a later report moved the day; <see cref="FirstDay"/> and <see cref="LastDay"/> read them either way.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EarliestDay { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LatestDay { get; init; }

    [JsonIgnore]
    public string FirstDay => EarliestDay ?? Day;

    [JsonIgnore]
    public string LastDay => LatestDay ?? Day;

    /// <summary>
    /// The earliest provider time among the items' current readings (what the day is counted from when the
    /// message was never registered). Read from the entries, which hold every reading, when a stored document
    /// is first asked for it; then carried by the fold from document to document. Never stored.
    /// </summary>
    [JsonIgnore]
    public DateTimeOffset? EarliestProviderTime
    {
        get
        {
            if (!_earliestKnown)
            {
                _earliestProviderTime = MessageProjection.EarliestProviderTime(Entries);
                _earliestKnown = true;
            }

            return _earliestProviderTime;
        }
        init
        {
            _earliestProviderTime = value;
            _earliestKnown = true;
        }
    }

    private DateTimeOffset? _earliestProviderTime;
    private bool _earliestKnown;

    /// <summary>One entry per event of the stream, in order: what support reads when tracing a complaint.</summary>
    public IReadOnlyList<HistoryEntry> Entries { get => _entries; init => _entries = value; }

    private IReadOnlyList<HistoryEntry> _entries = [];

    /// <summary>Computed from the stored members, so not stored itself.</summary>
    [JsonIgnore]
    public StatusPosition? Position => EffectiveTime is { } t ? new StatusPosition(Status, Final, t) : null;

    /// <summary>
    /// A document stored before the status's details were read from their entry held them beside it, without
    /// <see cref="AppliedEntry"/>: the entry is found again by the fold's own rules over the entries, so such a
    /// document reads (and folds on) the same until `rebuild` rewrites it.
    /// </summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        // An entry's version is its place in the stream, so it is not stored (documents of earlier builds stored it: the same numbers).
        if (_entries.Count > 0 && _entries[^1].Version == 0)
        {
            // The serializer reads the entries into a list of its own: numbered in place.
            var numbered = _entries as List<HistoryEntry> ?? [.. _entries];
            for (var i = 0; i < numbered.Count; i++)
            {
                numbered[i] = numbered[i] with { Version = i + 1 };
            }

            _entries = numbered;
        }

        if (_appliedEntry is null && Entries.Any(e => e.Effect == ReportEffect.Applied))
        {
            _appliedEntry = MessageProjection.AppliedEntryOf(Entries);
        }
    }

    /// <summary>The entry whose reading set the status.</summary>
    private HistoryEntry? Applied => AppliedEntry is { } i && i >= 0 && i < Entries.Count ? Entries[i] : null;

    /// <summary>When the item that entry reads arrived: a correction's entry carries the replay's time, its item's report the receipt.</summary>
    private DateTimeOffset ItemReceivedAt(HistoryEntry entry)
    {
        if (entry.Type != EntryTypes.Corrected)
        {
            return entry.ReceivedAt;
        }

        foreach (var e in Entries)
        {
            if (e.IsCallback && e.RequestId == entry.RequestId && (e.ItemIndex ?? 0) == (entry.ItemIndex ?? 0))
            {
                return e.ReceivedAt;
            }
        }

        return entry.ReceivedAt;
    }

    /// <summary>Registered as sent, no final report, and the wait is over (docs/rules.md: reports that never come).</summary>
    public bool IsMissingReport(DateTimeOffset now, TimeSpan wait) => SentAt is { } sent && !Final && sent + wait <= now;
}

/// <summary>One event of a message stream as the history shows it.</summary>
public sealed record HistoryEntry
{
    /// <summary>Position in the stream (1 for the first event): its place in the entries, so not stored.</summary>
    [JsonIgnore]
    public long Version { get; init; }

    /// <summary>
    /// The pinned event type name (`report_received`; `callback_received`/`report_interpreted` in streams of
    /// earlier builds). Stored as `Type` only when it is not a report, by far the most entries.
    /// </summary>
    [JsonIgnore]
    public string Type { get; init; } = EntryTypes.Report;

    [JsonInclude]
    [JsonPropertyName(nameof(Type))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? StoredType { get => Type == EntryTypes.Report ? null : Type; init => Type = value ?? EntryTypes.Report; }

    public Guid RequestId { get; init; }
    public int? ItemIndex { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Seconds since the previous callback of this message (callbacks only; null for the first).</summary>
    public double? GapSeconds { get; init; }

    /// <summary>The report's provider time as the history shows it (the parser's rule for reading it stays in the event).</summary>
    public HistoryTime? ProviderTime { get; init; }
    public DeliveryStatus? Status { get; init; }
    public bool? Final { get; init; }
    public string? ProviderStatus { get; init; }
    public string? ErrorCode { get; init; }
    public string? Description { get; init; }
    public string? ParserVersion { get; init; }

    /// <summary>The part of a long message the report is about (Huawei `sequence`/`total`); null for whole-message reports.</summary>
    public MessagePart? Part { get; init; }

    public FailureCategory? Category { get; init; }
    public bool? Retryable { get; init; }

    /// <summary>The report's billed parts: a correction recomputes the status from the entries, billed parts included.</summary>
    public int? BilledParts { get; init; }

    /// <summary>`pull` when the report came from the provider's query API; null for a push.</summary>
    public string? Source { get; init; }

    /// <summary>What the report did to the status.</summary>
    public ReportEffect? Effect { get; init; }

    /// <summary>The message's status right after this event.</summary>
    public DeliveryStatus StatusAfter { get; init; }

    /// <summary>The replay that appended this event (interpretation_corrected, callback_rescued).</summary>
    public Guid? ReplayId { get; init; }

    /// <summary>A correction: the status the item had been read as before.</summary>
    public DeliveryStatus? PreviousStatus { get; init; }

    /// <summary>Whether this entry is a callback (a report as received), from which the gaps are measured.</summary>
    [JsonIgnore]
    public bool IsCallback => Type == EntryTypes.Report || Type == EntryTypes.LegacyCallback;
}

/// <summary>A provider time in a history entry: the text as the provider wrote it and the instant it was read as.</summary>
public sealed record HistoryTime(string Raw, DateTimeOffset Utc);

/// <summary>The history entry types, the pinned names of the events they stand for.</summary>
public static class EntryTypes
{
    public static readonly string Report = EventNames.Pinned[typeof(ReportReceived)];
    public static readonly string LegacyCallback = EventNames.Pinned[typeof(CallbackReceived)];
    public static readonly string LegacyInterpretation = EventNames.Pinned[typeof(ReportInterpreted)];
    public static readonly string Corrected = EventNames.Pinned[typeof(InterpretationCorrected)];
    public static readonly string Rescued = EventNames.Pinned[typeof(CallbackRescued)];
    public static readonly string Submitted = EventNames.Pinned[typeof(MessageSubmitted)];
    public static readonly string PullFoundNoReport = EventNames.Pinned[typeof(Ledger.Events.PullFoundNoReport)];
}

/// <summary>One item of the stream (request id and index in it) and its current interpretation.</summary>
/// <param name="Source">`pull` when the item came from the provider's query API; null for a push.</param>
/// <param name="Entry">The history entry holding that interpretation (index in the entries).</param>
public sealed record ItemInterpretation(Guid RequestId, int ItemIndex, DateTimeOffset ReceivedAt, Report? Report, string? Source = null, int Entry = -1);
