using System.Collections.Immutable;
using JasperFx.Events;
using Ledger.Events;
using Ledger.Providers;
using Ledger.Status;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// The one fold of a message stream into its <see cref="Message"/> document. Marten calls
/// <see cref="Evolve"/> for the inline projection and for rebuilds; the group commit's writer, the
/// point-in-time reads and the replays call the very same method, so there is no second dispatch that a
/// new event type could be missing from. One case per event type, each a pure function of the document
/// and the event. Streams written before one event per report (`CallbackReceived` followed by
/// `ReportInterpreted`) fold to the same status, counts and finance fields.
/// </summary>
public sealed partial class MessageProjection : SingleStreamProjection<Message, string>
{
    private readonly TimeZoneInfo _zone;

    /// <param name="zone">Business-day time zone of the finance fields (changing it means a rebuild).</param>
    public MessageProjection(TimeZoneInfo zone)
    {
        _zone = zone;
        IncludeType<ReportReceived>();
        IncludeType<CallbackReceived>();
        IncludeType<ReportInterpreted>();
        IncludeType<InterpretationCorrected>();
        IncludeType<CallbackRescued>();
        IncludeType<MessageSubmitted>();
        IncludeType<PullFoundNoReport>();
    }

    public override Message? Evolve(Message? snapshot, string id, IEvent e) => Next(snapshot, id, e.Data);

    /// <summary>The document after one more event (null: none yet). An event a message stream never holds leaves it as it is.</summary>
    public Message? Next(Message? current, string id, object e) => e switch
    {
        ReportReceived r => Dated(Reported(Begin(current, id, r.Account), r)),
        CallbackReceived c => Dated(LegacyCallback(Begin(current, id, c.Account), c)),
        ReportInterpreted i when current is not null => Dated(LegacyInterpretation(current, i)),
        InterpretationCorrected c when current is not null => Dated(Corrected(current, c)),
        CallbackRescued r => Dated(Rescued(current, id, r)),
        MessageSubmitted m => Dated(Submitted(current, id, m)),
        PullFoundNoReport p => Dated(FoundNoReport(Begin(current, id, p.Account), p)),
        _ => current,
    };

    /// <summary>The same fold over a stream's events in memory (point in time, "as of" totals, writers meeting a stream without its document).</summary>
    public Message? Fold(string id, IEnumerable<object> events, Message? start = null)
    {
        var document = start;
        foreach (var e in events)
        {
            document = Next(document, id, e);
        }

        return document;
    }

    /// <summary>The document an event begins (provider and message key are read from the stream's key).</summary>
    private static Message Begin(Message? current, string id, string account) => current ?? new Message { Id = id, Account = account };

    private static Message Reported(Message current, ReportReceived e)
    {
        var received = Received(current, e.ReceivedAt);
        if (e.Source == ReportSources.Pull)
        {
            received = received with { PulledCount = received.PulledCount + 1 };
        }

        var report = Categorized(current, e.Report);
        // Only a stream with a pulled report compares across sources: a push-only stream pays nothing for it.
        var earlier = e.Source == ReportSources.Pull || current.PulledCount > 0 ? Items(current.Entries) : null;
        var (next, effect) = Step(received, report, e.ReceivedAt, current.Entries.Count, e.Source, earlier);
        return Entry(next, EntryFor(report) with
        {
            Type = EntryTypes.Report,
            RequestId = e.RequestId,
            ItemIndex = e.ItemIndex,
            ReceivedAt = e.ReceivedAt,
            GapSeconds = Gap(current, e.ReceivedAt),
            Source = e.Source == ReportSources.Push ? null : e.Source,
            Effect = effect,
        });
    }

    /// <summary>Reports stored before categories are classified on reading, with today's tables.</summary>
    private static Report Categorized(Message message, Report report) =>
        report.Category is null ? FailureCategories.Classified(message.Provider, report) : report;

    /// <summary>A callback's receipt: counted, receive times kept.</summary>
    private static Message Received(Message current, DateTimeOffset at) => current with
    {
        CallbackCount = current.CallbackCount + 1,
        // FirstReceivedAt is unset while the stream holds only a registration.
        FirstReceivedAt = current.FirstReceivedAt == default || at < current.FirstReceivedAt ? at : current.FirstReceivedAt,
        LastReceivedAt = at > current.LastReceivedAt ? at : current.LastReceivedAt,
    };

    private static double? Gap(Message current, DateTimeOffset at)
    {
        for (var i = current.Entries.Count - 1; i >= 0; i--)
        {
            if (current.Entries[i].IsCallback)
            {
                return (at - current.Entries[i].ReceivedAt).TotalSeconds;
            }
        }

        return null;
    }

    /// <summary>
    /// The status rules (docs/rules.md rule 4) for one report: the next document and what the report did
    /// (applied, duplicate, conflict, superseded). Counts and finance fields follow; the version and the
    /// history entry are the caller's.
    /// </summary>
    /// <param name="entry">The history entry that holds this reading (index in the entries): what the status is read from if it applies.</param>
    /// <param name="source">`pull` for a report read from the provider's query API; null or `push` for a push.</param>
    /// <param name="earlier">The stream's earlier items with their current readings (for the pulled-duplicate rule).</param>
    public static (Message Next, ReportEffect Effect) Step(Message current, Report report, DateTimeOffset receivedAt, int entry,
        string? source = null, IReadOnlyList<ItemInterpretation>? earlier = null)
    {
        if (current.Seen is null)
        {
            // A document read from the store: what it does not store is derived from its entries, in one pass.
            var stored = Items(current.Entries);
            current = current with { Seen = Fingerprints(stored), EarliestProviderTime = EarliestProviderTime(stored) };
        }

        var providerTime = report.ProviderTime?.Utc;
        var next = current with
        {
            // Facts about the message itself are kept from whichever report first carried them.
            Phone = current.Phone ?? report.Phone,
            OutId = current.OutId ?? report.OutId,
            BilledParts = current.BilledParts ?? report.BilledParts,
            EarliestProviderTime = providerTime is { } t && (current.EarliestProviderTime is not { } known || t < known) ? t : current.EarliestProviderTime,
        };

        var fingerprint = report.Fingerprint;
        var seen = current.Seen;
        if (seen.Contains(fingerprint) || RepeatsAcrossSources(report, source, earlier))
        {
            return (next with { DuplicateCount = current.DuplicateCount + 1, Seen = seen }, ReportEffect.Duplicate);
        }

        next = next with { Seen = seen.Add(fingerprint) };
        var effect = StatusMachine.Decide(current.Position, report, receivedAt);
        var evolved = effect switch
        {
            ReportEffect.Applied => next with
            {
                Status = report.Status,
                Final = report.Final,
                AppliedEntry = entry,
                Category = report.Category,
                Retryable = report.Retryable,
                BilledParts = report.BilledParts ?? next.BilledParts,
            },
            ReportEffect.Conflict => next with { ConflictCount = current.ConflictCount + 1 },
            _ => next,
        };
        return (evolved, effect);
    }

    /// <summary>
    /// docs/providers.md: "a pulled report is a duplicate of a pushed one when status, error code and provider
    /// time agree (query APIs carry less text than pushes)". The fingerprint compares the raw provider-time
    /// text, which a query API writes differently (Tencent: epoch seconds for the push's Beijing string),
    /// so when either side came from a pull the two are compared by what they mean instead: status, final,
    /// error code, part, and the provider time's UTC instant. A side without a provider time cannot
    /// disagree (a Twilio push without RawDlrDoneDate): it agrees with any time.
    /// </summary>
    public static bool RepeatsAcrossSources(Report report, string? source, IReadOnlyList<ItemInterpretation>? earlier)
    {
        if (earlier is null)
        {
            return false;
        }

        var pulled = source == ReportSources.Pull;
        foreach (var item in earlier)
        {
            if (item.Report is { } seen && (pulled || item.Source == ReportSources.Pull) && Agree(seen, report))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The fingerprints a stored document's fold had collected, derived from its entries: every item's current
    /// reading in stream order that was no duplicate of an earlier one (by fingerprint or, with a pull on
    /// either side, by <see cref="RepeatsAcrossSources"/>): exactly what <see cref="Step"/> added along the way.
    /// </summary>
    public static ImmutableHashSet<string> Fingerprints(IReadOnlyList<ItemInterpretation> items)
    {
        var seen = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var pulled = false;
        for (var i = 0; i < items.Count; i++)
        {
            pulled |= items[i].Source == ReportSources.Pull;
            if (items[i].Report is not { } report || seen.Contains(report.Fingerprint))
            {
                continue;
            }

            if (!pulled || !RepeatsAcrossSources(report, items[i].Source, Earlier(items, i)))
            {
                seen.Add(report.Fingerprint);
            }
        }

        return seen.ToImmutable();
    }

    /// <summary>The entry whose reading sets the status: the status rules over every item's current reading, in stream order.</summary>
    public static int? AppliedEntryOf(IReadOnlyList<HistoryEntry> entries)
    {
        var items = Items(entries);
        var state = new Message { Entries = entries, Seen = [] };
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Report is { } report)
            {
                state = Step(state, report, items[i].ReceivedAt, items[i].Entry, items[i].Source, Earlier(items, i)).Next;
            }
        }

        return state.AppliedEntry;
    }

    private static List<ItemInterpretation> Earlier(IReadOnlyList<ItemInterpretation> items, int count) => [.. items.Take(count)];

    private static bool Agree(Report a, Report b) =>
        a.Status == b.Status
        && a.Final == b.Final
        && string.Equals(a.ErrorCode, b.ErrorCode, StringComparison.Ordinal)
        && a.Part == b.Part
        && (a.ProviderTime is null || b.ProviderTime is null || a.ProviderTime.Utc == b.ProviderTime.Utc);

    /// <summary>A pull that found no final report: counted (resend candidates measure "gave up" by it), status unchanged.</summary>
    private static Message FoundNoReport(Message current, PullFoundNoReport e)
    {
        var next = current with
        {
            PullsWithoutReport = current.PullsWithoutReport + 1,
            LastPulledAt = current.LastPulledAt is { } last && last > e.PulledAt ? last : e.PulledAt,
        };
        return Entry(next, new HistoryEntry
        {
            Type = EntryTypes.PullFoundNoReport,
            RequestId = e.RequestId,
            ReceivedAt = e.PulledAt,
            Source = ReportSources.Pull,
            Description = e.Detail,
        });
    }

    // Streams of earlier builds: the raw item and its reading were two events.

    private static Message LegacyCallback(Message current, CallbackReceived e)
    {
        var next = Received(current, e.ReceivedAt);
        return Entry(next, new HistoryEntry
        {
            Type = EntryTypes.LegacyCallback,
            RequestId = e.RequestId,
            ItemIndex = e.ItemIndex,
            ReceivedAt = e.ReceivedAt,
            GapSeconds = Gap(current, e.ReceivedAt),
        });
    }

    private static Message LegacyInterpretation(Message current, ReportInterpreted e)
    {
        var report = Categorized(current, e.Report);
        var (next, effect) = Step(current, report, e.ReceivedAt, current.Entries.Count);
        return Entry(next, EntryFor(report) with
        {
            Type = EntryTypes.LegacyInterpretation,
            RequestId = e.RequestId,
            ReceivedAt = e.ReceivedAt,
            Effect = effect,
        });
    }

    /// <summary>
    /// A replay's correction (docs/rules.md rule 7): one item's reading is replaced, and the status is
    /// recomputed from every item's current reading, in stream order, by the same rules as at ingest, so
    /// a corrected report counts exactly as if the parser had read it that way first.
    /// </summary>
    private static Message Corrected(Message current, InterpretationCorrected e)
    {
        var corrected = Categorized(current, e.Corrected);
        var entry = EntryFor(corrected) with
        {
            Type = EntryTypes.Corrected,
            RequestId = e.RequestId,
            ItemIndex = e.ItemIndex,
            ReceivedAt = e.CorrectedAt,
            ReplayId = e.ReplayId,
            PreviousStatus = e.Previous.Status,
        };
        // The correction's own entry (appended last) holds the item's new reading; the status rules read the
        // applying entry's reading from the entries, so it is among them while they run.
        var items = Items(current.Entries)
            .Select(i => i.RequestId == e.RequestId && i.ItemIndex == e.ItemIndex ? i with { Report = corrected, Entry = current.Entries.Count } : i)
            .ToList();
        var reset = current with
        {
            Entries = Appended(current.Entries, entry),
            Status = DeliveryStatus.Pending,
            Final = false,
            AppliedEntry = null,
            Category = null,
            Retryable = null,
            DuplicateCount = 0,
            ConflictCount = 0,
            Seen = [],
            EarliestProviderTime = null,
        };
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Report is { } report)
            {
                reset = Step(reset, report, items[i].ReceivedAt, items[i].Entry, items[i].Source, items.GetRange(0, i)).Next;
            }
        }

        return Entry(reset with { CorrectedCount = current.CorrectedCount + 1, Entries = current.Entries }, entry);
    }

    /// <summary>
    /// The stream's items and their current readings, from the history entries: a report adds an item with
    /// its reading (an earlier build's callback adds one unread, and its interpretation fills the last unread
    /// item of its request), a correction replaces its item's reading. The entries carry every report member
    /// the status rules read; the phone and reference are kept from the first report that carried them.
    /// </summary>
    public static IReadOnlyList<ItemInterpretation> Items(IReadOnlyList<HistoryEntry> entries)
    {
        var items = new List<ItemInterpretation>();
        for (var at = 0; at < entries.Count; at++)
        {
            var entry = entries[at];
            if (entry.Type == EntryTypes.Report)
            {
                items.Add(new ItemInterpretation(entry.RequestId, entry.ItemIndex ?? 0, entry.ReceivedAt, AsReport(entry), entry.Source, at));
            }
            else if (entry.Type == EntryTypes.LegacyCallback)
            {
                items.Add(new ItemInterpretation(entry.RequestId, entry.ItemIndex ?? 0, entry.ReceivedAt, null));
            }
            else if (entry.Type == EntryTypes.LegacyInterpretation)
            {
                var unread = items.FindLastIndex(i => i.RequestId == entry.RequestId && i.Report is null);
                if (unread >= 0)
                {
                    items[unread] = items[unread] with { Report = AsReport(entry), Entry = at };
                }
            }
            else if (entry.Type == EntryTypes.Corrected)
            {
                var index = items.FindIndex(i => i.RequestId == entry.RequestId && i.ItemIndex == entry.ItemIndex);
                if (index >= 0)
                {
                    items[index] = items[index] with { Report = AsReport(entry), Entry = at };
                }
            }
        }

        return items;
    }

    private static Report AsReport(HistoryEntry entry) => new(
        entry.Status ?? DeliveryStatus.Unknown, entry.Final ?? false, entry.ProviderStatus, entry.ErrorCode, entry.Description,
        entry.ProviderTime is { } time ? new ProviderTime(time.Raw, time.Utc, "") : null, Phone: null, OutId: null, entry.BilledParts, entry.ParserVersion ?? "", entry.Part, entry.Category, entry.Retryable);

    /// <summary>A quarantined request's item rescued by a replay: a marker; the item's own report follows and does the counting.</summary>
    private static Message Rescued(Message? current, string id, CallbackRescued e)
    {
        var next = current ?? new Message
        {
            Id = id,
            Account = e.Account,
            FirstReceivedAt = e.ReceivedAt,
            LastReceivedAt = e.ReceivedAt,
        };
        return Entry(next, new HistoryEntry
        {
            Type = EntryTypes.Rescued,
            RequestId = e.OriginalRequestId,
            ReceivedAt = e.ReceivedAt,
            Description = $"rescued from quarantine ({e.OriginalReason}) by replay {e.ReplayId}",
            ReplayId = e.ReplayId,
        });
    }

    /// <summary>
    /// Sent registration (POST /messages/sent). The first one wins: it names the account finance is billed
    /// under and the sent day; a report that came first keeps its status and the facts it carried.
    /// </summary>
    private static Message Submitted(Message? current, string id, MessageSubmitted e)
    {
        var next = current is null
            ? new Message
            {
                Id = id,
                Account = e.Account,
                SentAt = e.SentAt,
                RegisteredAt = e.RegisteredAt,
                Phone = e.Phone,
                OutId = e.OutId,
                BilledParts = e.BilledParts,
            }
            : current.SentAt is not null
                ? current
                : current with
                {
                    SentAt = e.SentAt,
                    RegisteredAt = e.RegisteredAt,
                    Account = e.Account,
                    Phone = current.Phone ?? e.Phone,
                    OutId = current.OutId ?? e.OutId,
                    BilledParts = current.BilledParts ?? e.BilledParts,
                };
        return Entry(next, new HistoryEntry
        {
            Type = EntryTypes.Submitted,
            RequestId = e.RequestId,
            ReceivedAt = e.RegisteredAt,
            Description = $"registered as sent at {e.SentAt:O}",
        });
    }

    private static HistoryEntry EntryFor(Report report) => new()
    {
        ProviderTime = report.ProviderTime is { } time ? new HistoryTime(time.Raw, time.Utc) : null,
        Status = report.Status,
        Final = report.Final,
        ProviderStatus = report.ProviderStatus,
        ErrorCode = report.ErrorCode,
        Description = report.Description,
        ParserVersion = report.ParserVersion,
        Part = report.Part,
        Category = report.Category,
        Retryable = report.Retryable,
        BilledParts = report.BilledParts,
    };

    /// <summary>
    /// Every event counts once in the version and leaves one history entry. Appended to an immutable list,
    /// which shares what the previous document held: folding a long stream copies no entries.
    /// </summary>
    private static Message Entry(Message next, HistoryEntry entry)
    {
        return next with { Entries = Appended(next.Entries, entry with { Version = next.StreamVersion + 1, StatusAfter = next.Status }) };
    }

    private static ImmutableList<HistoryEntry> Appended(IReadOnlyList<HistoryEntry> entries, HistoryEntry entry) =>
        (entries as ImmutableList<HistoryEntry> ?? [.. entries]).Add(entry);

    private Message Dated(Message message)
    {
        var counted = message.SentAt ?? message.EarliestProviderTime ?? (message.FirstReceivedAt == default ? null : message.FirstReceivedAt);
        if (counted is not { } instant)
        {
            return message;
        }

        var day = BusinessDay.Of(instant, _zone);
        if (day == message.Day)
        {
            return message;
        }

        // The days it was counted on before (none while Day is empty), widened by the new one; stored only when not the day itself.
        var first = message.Day.Length == 0 || string.CompareOrdinal(day, message.FirstDay) < 0 ? day : message.FirstDay;
        var last = message.Day.Length == 0 || string.CompareOrdinal(day, message.LastDay) > 0 ? day : message.LastDay;
        return message with { Day = day, EarliestDay = first == day ? null : first, LatestDay = last == day ? null : last };
    }

    /// <summary>The earliest provider time among the items' current readings: what <see cref="Step"/> keeps as it goes.</summary>
    public static DateTimeOffset? EarliestProviderTime(IReadOnlyList<HistoryEntry> entries) => EarliestProviderTime(Items(entries));

    private static DateTimeOffset? EarliestProviderTime(IReadOnlyList<ItemInterpretation> items)
    {
        DateTimeOffset? earliest = null;
        foreach (var item in items)
        {
            if (item.Report?.ProviderTime?.Utc is { } t && (earliest is not { } known || t < known))
            {
                earliest = t;
            }
        }

        return earliest;
    }
}
