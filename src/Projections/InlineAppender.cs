using Ledger.Storage;
using Ledger.Events;
using Ledger.Ingest;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Projections;

/// <summary>
/// The group commit's writer (<see cref="IStreamAppender"/>): Marten's storage, written set-based. One
/// round trip locks the commit's streams and reads their versions and documents; the events are
/// projected here with the projections' own folds (<see cref="MessageProjection.Next"/>, the method
/// Marten's inline projection and rebuilds call too); a second round
/// trip inserts every event and upserts every stream row and document with one statement per table
/// (arrays unnested), instead of Marten's append function and upsert per stream. The rows are exactly
/// Marten's (same tables, columns, serializer, event names and versions), so reads, replays, rebuilds
/// and live aggregation go through Marten as before. Why: per-stream functions cost about ten times the
/// plain SQL inside PostgreSQL (docs/performance.md). Every append goes through here: the group commit's
/// (callbacks, pulls, sent registrations, quarantine) and a replay chunk's corrections and rescues; archiving
/// goes through <see cref="ArchiveWriter"/> beside it, which this restores through.
/// </summary>
public sealed class InlineAppender(IDocumentStore store, MessageProjection messages, RejectedRequestProjection rejected, ReplyProjection replies,
    NonceLedger nonces)
    : IStreamAppender
{
    private const string Tenant = "*DEFAULT*";
    private const string Begin = "begin isolation level read committed";
    private readonly Statements _sql = new(store);
    private readonly ArchiveWriter _archive = new(store);
    private readonly Marten.ISerializer _serializer = store.Options.Serializer();
    private bool? _lz4;
    private volatile bool _tablesReady;
    private static readonly Type[] StorageTypes =
    [
        typeof(JasperFx.Events.IEvent), typeof(RawRequestRecord), typeof(Message), typeof(RejectedRequest), typeof(Reply),
    ];

    public async Task<Committed> AppendAsync(NpgsqlConnection connection, IReadOnlyList<IngestWrite> writes, bool withRecords,
        bool transaction = false, CancellationToken ct = default, IReadOnlyDictionary<string, long>? expectedVersions = null)
    {
        await EnsureTablesAsync(ct).ConfigureAwait(false);
        var streams = Gather(writes);
        var appended = new List<AppendedStream>(streams.Count);
        List<string>? archived = null;
        if (streams.Count > 0)
        {
            var keys = new string[streams.Count];
            streams.Keys.CopyTo(keys, 0);
            var claims = NonceClaims.Of(writes);
            HashSet<int> fresh;
            (archived, fresh) = await LockAndReadAsync(connection, keys, streams, claims, begin: transaction, ct).ConfigureAwait(false);
            if (expectedVersions is not null)
            {
                ExpectVersions(streams, expectedVersions);
            }

            await FoldStreamsWithoutDocumentAsync(streams.Values, ct).ConfigureAwait(false);
            (writes, streams) = Admit(writes, streams, claims, fresh);
            foreach (var stream in streams.Values)
            {
                appended.Add(stream.Project(messages, rejected, replies));
            }
        }

        // A late report (or a replay's correction) for a message retention archived: the stream comes back
        // live rather than the append being refused. Begun with the locks when there were streams; a commit of
        // raw records only begins here.
        archived?.RemoveAll(key => !streams.ContainsKey(key)); // (refused by admission: nothing appended to it)
        await WriteAsync(connection, streams.Values, withRecords ? writes : [], archived, begin: transaction && streams.Count == 0, commit: transaction, ct)
            .ConfigureAwait(false);
        return new Committed(appended, writes);
    }

    /// <summary>
    /// A writer that decided its appends from streams it read before the locks (a replay chunk) names the
    /// versions it read: a stream another writer moved meanwhile fails the commit (nothing written), and the caller
    /// decides again.
    /// </summary>
    private static void ExpectVersions(Dictionary<string, PendingStream> streams, IReadOnlyDictionary<string, long> expected)
    {
        foreach (var stream in streams.Values)
        {
            if (expected.TryGetValue(stream.Key, out var version) && version != stream.Version)
            {
                throw new StreamMovedException(stream.Key, version, stream.Version);
            }
        }
    }

    /// <summary>
    /// Each write as it may commit (<see cref="Admission"/>), now that the streams are locked and their owners
    /// read: a write that changed (an item refused, the whole request refused) is gathered again, keeping what
    /// was read of the streams it still touches.
    /// </summary>
    private static (IReadOnlyList<IngestWrite>, Dictionary<string, PendingStream>) Admit(IReadOnlyList<IngestWrite> writes,
        Dictionary<string, PendingStream> streams, NonceClaims claims, HashSet<int> fresh)
    {
        var owners = new Owners(streams);
        IngestWrite[]? admitted = null;
        for (var i = 0; i < writes.Count; i++)
        {
            var write = Admission.Admit(writes[i], !claims.Has(i) || fresh.Contains(i), owners);
            if (!ReferenceEquals(write, writes[i]))
            {
                admitted ??= [.. writes];
                admitted[i] = write;
            }
        }

        if (admitted is null)
        {
            return (writes, streams); // the common case: nothing refused, nothing gathered twice
        }

        var regathered = Gather(admitted);
        foreach (var stream in regathered.Values)
        {
            if (streams.TryGetValue(stream.Key, out var read))
            {
                stream.Version = read.Version;
                stream.Message = read.Message;
                stream.Reply = read.Reply;
            }
        }

        return (admitted, regathered);
    }

    /// <summary>
    /// What Marten does before its own first write of a type (a cached check afterwards): the tables
    /// exist. Two instances starting on a new schema race on the DDL; the loser tries again.
    /// </summary>
    private async Task EnsureTablesAsync(CancellationToken ct)
    {
        if (_tablesReady)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var type in StorageTypes)
                {
                    await store.Storage.Database.EnsureStorageExistsAsync(type, ct).ConfigureAwait(false);
                }

                await nonces.EnsureTableAsync(ct).ConfigureAwait(false);

                _tablesReady = true;
                return;
            }
            catch (Marten.Exceptions.MartenSchemaException) when (attempt < 3)
            {
                await Task.Delay(50 * attempt, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A message stream that exists but has no document was written before its document's shape changed
    /// (a store of an earlier build not yet rebuilt): its document is folded from its stored events first,
    /// so the new events continue the stream's real state. Read outside the commit's transaction, which
    /// is safe: the stream's lock is held, so nobody else appends to it meanwhile.
    /// </summary>
    private async Task FoldStreamsWithoutDocumentAsync(IEnumerable<PendingStream> streams, CancellationToken ct)
    {
        // Every commit passes here: nothing is allocated unless a stream needs it (almost never).
        IQuerySession? session = null;
        try
        {
            foreach (var stream in streams)
            {
                if (stream.Version == 0 || stream.Message is not null || stream.Reply is not null
                    || stream.Key.StartsWith("quarantine:", StringComparison.Ordinal))
                {
                    continue;
                }

                session ??= store.QuerySession();
                var events = await StreamEvents.ReadAsync(session, stream.Key, ct: ct).ConfigureAwait(false);
                stream.Message = messages.Fold(stream.Key, events.Select(e => e.Data));
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The commit's streams in first-seen order, each with its events in request order.</summary>
    private static Dictionary<string, PendingStream> Gather(IReadOnlyList<IngestWrite> writes)
    {
        var streams = new Dictionary<string, PendingStream>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            foreach (var append in write.Appends)
            {
                if (!streams.TryGetValue(append.StreamKey, out var stream))
                {
                    streams[append.StreamKey] = stream = new PendingStream(append.StreamKey);
                }

                stream.Events.AddRange(append.Events);
            }
        }

        return streams;
    }

    /// <returns>The keys of archived streams among them, and the writes whose nonce was fresh (claimed now).</returns>
    private async Task<(List<string> Archived, HashSet<int> Fresh)> LockAndReadAsync(NpgsqlConnection connection, string[] keys,
        Dictionary<string, PendingStream> streams, NonceClaims claims, bool begin, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (begin)
        {
            Add(batch, Begin);
        }

        // Index paths only, lz4 where the server has it (Statements.Settings says why).
        var lz4 = await Lz4Async(connection, ct).ConfigureAwait(false);
        Add(batch, lz4 ? Statements.SettingsWithLz4 : Statements.Settings);
        Add(batch, StreamLocks.LockSql, P(keys));
        Add(batch, _sql.Lookup, P(keys));
        if (claims.Count > 0)
        {
            // Claimed in this transaction: spent only if the reports commit (a failed commit leaves the nonce for the retry).
            Add(batch, NonceLedger.ClaimSql(store), P(claims.Scopes), P(claims.Values), P(claims.Expiries));
        }

        var archived = new List<string>();
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        // (The begin returns no result set: the reader starts on the settings.)
        await reader.NextResultAsync(ct).ConfigureAwait(false); // past the settings
        await reader.NextResultAsync(ct).ConfigureAwait(false); // past the locks
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var stream = streams[reader.GetString(0)];
            stream.Version = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            if (!reader.IsDBNull(2) && reader.GetBoolean(2))
            {
                archived.Add(stream.Key);
            }

            stream.Message = reader.IsDBNull(3) ? null : _serializer.FromJson<Message>(reader, 3);
            stream.Reply = reader.IsDBNull(4) ? null : _serializer.FromJson<Reply>(reader, 4);
        }

        var fresh = claims.Count > 0 ? new HashSet<int>() : NoneFresh;
        if (claims.Count > 0)
        {
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                fresh.Add(claims.WriteOf(reader.GetString(0), reader.GetString(1)));
            }
        }

        return (archived, fresh);
    }

    /// <summary>No write of the commit carried a nonce (read only, never added to).</summary>
    private static readonly HashSet<int> NoneFresh = [];

    /// <summary>Whether the server can compress with lz4 (PostgreSQL 14+, built with it); asked once.</summary>
    private async ValueTask<bool> Lz4Async(NpgsqlConnection connection, CancellationToken ct)
    {
        if (_lz4 is { } known)
        {
            return known;
        }

        await using var command = new NpgsqlCommand(
            "select coalesce((select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression'), false)", connection);
        _lz4 = (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return _lz4.Value;
    }

    private async Task WriteAsync(NpgsqlConnection connection, IReadOnlyCollection<PendingStream> streams, IReadOnlyList<IngestWrite> records,
        List<string>? archived, bool begin, bool commit, CancellationToken ct)
    {
        var events = new EventColumns(streams.Sum(s => s.Events.Count));
        // A stream read at version 0 has no row yet, nor a document (they are written together): those rows are
        // plain inserts, cheaper in PostgreSQL than an upsert that finds no conflict (measured ~1 µs per row each);
        // a row made meanwhile by another instance fails the commit on its key, and the commit is retried.
        var newStreams = new StreamColumns();
        var movedStreams = new StreamColumns();
        var newMessages = new DocumentColumns();
        var messages = new DocumentColumns();
        var rejected = new DocumentColumns();
        var replies = new DocumentColumns();
        foreach (var stream in streams)
        {
            var version = stream.Version;
            foreach (var e in stream.Events)
            {
                events.Add(stream.Key, ++version, _serializer.ToJson(e), e.GetType());
            }

            var isNew = stream.Version == 0;
            (isNew ? newStreams : movedStreams).Add(stream.Key, version);
            var messageRows = isNew ? newMessages : messages;
            if (messageRows.AddIfChanged(stream.Key, version, stream.Message, stream.MessageBefore, _serializer))
            {
                messageRows.AddDuplicated(stream.Message!.Day, stream.Message.Provider, stream.Message.Account);
            }

            if (rejected.AddIfChanged(stream.Key, version, stream.Rejected, null, _serializer))
            {
                rejected.AddDuplicated(stream.Rejected!.Day, stream.Rejected.Provider, stream.Rejected.Account);
            }

            replies.AddIfChanged(stream.Key, version, stream.Reply, stream.ReplyBefore, _serializer);
        }

        await using var batch = new NpgsqlBatch(connection);
        if (begin)
        {
            Add(batch, Begin);
        }

        var kept = 0;
        foreach (var write in records)
        {
            kept += write.KeepRecord ? 1 : 0;
        }

        if (kept > 0)
        {
            var ids = new Guid[kept];
            var data = new string[kept];
            var i = 0;
            foreach (var write in records)
            {
                if (write.KeepRecord)
                {
                    ids[i] = write.Record.Id;
                    data[i++] = _serializer.ToJson(write.Record);
                }
            }

            Add(batch, _sql.InsertRecords, P(ids), Jsonb(data));
        }

        if (streams.Count == 0)
        {
            if (kept > 0)
            {
                if (commit)
                {
                    Add(batch, "commit");
                }

                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return;
        }

        if (archived is { Count: > 0 })
        {
            _archive.AddRestore(batch, [.. archived]);
        }

        // New streams first (the events reference them), at their final version; existing ones move forward.
        if (newStreams.Keys.Count > 0)
        {
            Add(batch, _sql.InsertStreams, P(newStreams.Keys.ToArray()), P(newStreams.Versions.ToArray()));
        }

        if (movedStreams.Keys.Count > 0)
        {
            Add(batch, _sql.UpsertStreams, P(movedStreams.Keys.ToArray()), P(movedStreams.Versions.ToArray()));
        }

        Add(batch, _sql.InsertEvents,
            P(events.Ids), P(events.Streams), P(events.Versions), Jsonb(events.Data), P(events.Types));
        AddUpsert(batch, _sql.InsertMessages, newMessages);
        AddUpsert(batch, _sql.UpsertMessages, messages);
        AddUpsert(batch, _sql.UpsertRejected, rejected);
        if (replies.Ids.Count > 0)
        {
            Add(batch, _sql.UpsertReplies, P(replies.Ids.ToArray()), Jsonb(replies.Data), P(replies.Versions.ToArray()));
        }

        if (commit)
        {
            // In the same round trip: after an error PostgreSQL skips the rest of the batch, so this
            // runs only when every write succeeded, and the batch returns once the commit is durable.
            Add(batch, "commit");
        }

        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static void AddUpsert(NpgsqlBatch batch, string sql, DocumentColumns rows)
    {
        if (rows.Ids.Count == 0)
        {
            return;
        }

        Add(batch, sql, P(rows.Ids.ToArray()), Jsonb(rows.Data), P(rows.Versions.ToArray()), P(rows.Days.ToArray()), P(rows.Providers.ToArray()),
            P(rows.Accounts.ToArray()));
    }

    private static NpgsqlParameter Jsonb(string[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb };

    private static NpgsqlParameter Jsonb(List<string> values) => Jsonb(values.ToArray());

    /// <param name="parameters">Positional ($1, $2, …): arrays, each one parameter.</param>
    private static void Add(NpgsqlBatch batch, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter P<T>(T[] values) => new() { Value = values };

    /// <summary>One stream of the commit: what it was before, its new events, and its documents after them.</summary>
    private sealed class PendingStream(string key)
    {
        public string Key { get; } = key;
        public List<object> Events { get; } = [];
        public long Version { get; set; }
        public Message? Message { get; set; }
        public Message? MessageBefore { get; private set; }
        public RejectedRequest? Rejected { get; private set; }
        public Reply? Reply { get; set; }
        public Reply? ReplyBefore { get; private set; }

        /// <summary>The account a report or reply of this commit claimed the stream for, while it has no document yet.</summary>
        public string? Claimed { get; set; }

        public string? Owner => Message?.Account is { Length: > 0 } m ? m : Reply?.Account is { Length: > 0 } r ? r : Claimed;

        /// <summary>Each event through every fold: each leaves a stream it does not concern as it was (none).</summary>
        public AppendedStream Project(MessageProjection messages, RejectedRequestProjection rejected, ReplyProjection replies)
        {
            MessageBefore = Message;
            ReplyBefore = Reply;
            foreach (var e in Events)
            {
                Message = messages.Next(Message, Key, e);
                Rejected = rejected.Next(Rejected, e);
                Reply = replies.Next(Reply, Key, e);
            }

            return new AppendedStream(Key, Events.Count,
                Message is not null ? [Message] : Rejected is not null ? [Rejected] : Reply is not null ? [Reply] : []);
        }
    }

    /// <summary>The owners as the commit's pending streams hold them (no copy): read from their documents, claimed by new streams.</summary>
    private sealed class Owners(Dictionary<string, PendingStream> streams) : IStreamOwners
    {
        public string? Owner(string streamKey) => streams.TryGetValue(streamKey, out var stream) ? stream.Owner : null;

        public void Claim(string streamKey, string account)
        {
            if (streams.TryGetValue(streamKey, out var stream))
            {
                stream.Claimed = account;
            }
        }
    }

    /// <summary>
    /// The signed nonces of a commit's writes, one claim per distinct (scope, nonce) in sorted order (two commits
    /// claiming the same two nonces never wait on each other in a circle); a later write repeating a nonce of
    /// an earlier one in the same commit is not fresh.
    /// </summary>
    private sealed class NonceClaims
    {
        private readonly Dictionary<int, NonceClaimed> _byWrite = [];
        private readonly Dictionary<(string, string), int> _first = [];

        public string[] Scopes { get; private set; } = [];
        public string[] Values { get; private set; } = [];
        public DateTimeOffset[] Expiries { get; private set; } = [];
        public int Count => Scopes.Length;

        private static readonly NonceClaims None = new();

        public static NonceClaims Of(IReadOnlyList<IngestWrite> writes)
        {
            var any = false;
            for (var i = 0; i < writes.Count && !any; i++)
            {
                any = writes[i].Nonce is not null;
            }

            if (!any)
            {
                return None; // the common commit: nothing to claim, nothing allocated
            }

            var claims = new NonceClaims();
            for (var i = 0; i < writes.Count; i++)
            {
                if (writes[i].Nonce is { } nonce)
                {
                    claims._byWrite[i] = nonce;
                    claims._first.TryAdd((nonce.Scope, nonce.Value), i);
                }
            }

            if (claims._first.Count > 0)
            {
                var ordered = claims._first.Keys.Order().ToArray();
                claims.Scopes = [.. ordered.Select(k => k.Item1)];
                claims.Values = [.. ordered.Select(k => k.Item2)];
                claims.Expiries = [.. ordered.Select(k => claims._byWrite[claims._first[k]].ExpiresAt)];
            }

            return claims;
        }

        public bool Has(int write) => _byWrite.ContainsKey(write);

        public int WriteOf(string scope, string value) => _first[(scope, value)];
    }

    /// <summary>The commit's events as the columns the insert unnests, sized once (the count is known).</summary>
    private sealed class EventColumns(int count)
    {
        private int _next;

        public Guid[] Ids { get; } = new Guid[count];
        public string[] Streams { get; } = new string[count];
        public long[] Versions { get; } = new long[count];
        public string[] Data { get; } = new string[count];
        public string[] Types { get; } = new string[count];

        public void Add(string stream, long version, string data, Type type)
        {
            var i = _next++;
            Ids[i] = Guid.CreateVersion7();
            Streams[i] = stream;
            Versions[i] = version;
            Data[i] = data;
            Types[i] = EventNames.Pinned[type];
        }
    }

    private sealed class StreamColumns
    {
        public List<string> Keys { get; } = [];
        public List<long> Versions { get; } = [];

        public void Add(string key, long version)
        {
            Keys.Add(key);
            Versions.Add(version);
        }
    }

    private sealed class DocumentColumns
    {
        public List<string> Ids { get; } = [];
        public List<string> Data { get; } = [];
        public List<long> Versions { get; } = [];
        public List<string> Days { get; } = [];
        public List<string> Providers { get; } = [];
        public List<string> Accounts { get; } = [];

        /// <returns>true when the document is new or changed, and was added.</returns>
        public bool AddIfChanged(string id, long version, object? document, object? before, Marten.ISerializer serializer)
        {
            if (document is null || ReferenceEquals(document, before))
            {
                return false;
            }

            Ids.Add(id);
            Data.Add(serializer.ToJson(document));
            Versions.Add(version);
            return true;
        }

        public void AddDuplicated(string day, string provider, string account)
        {
            Days.Add(day);
            Providers.Add(provider);
            Accounts.Add(account);
        }
    }

    /// <summary>
    /// Every statement of a commit, its text made once from Marten's table names for this store (not on
    /// every commit: the texts are long, and the same text is what Npgsql's auto-prepare recognises).
    /// </summary>
    private sealed class Statements
    {
        // Settings for the transaction. Every read here is a primary-key lookup, but a prepared statement's
        // cached plan is made while the tables are small (a fresh store) and then kept: a sequential scan or
        // hash join that grows with the table (measured: 1 ms per lookup after 6,000 messages, 25 ms after
        // 40,000). So: index paths only. And documents over ~2 kB (batch requests' raw records, long
        // histories) are compressed with lz4 where the server has it: about half the cost of the default
        // pglz (measured: 45 vs 65-90 µs per history row).
        public const string Settings =
            "select set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)";

        public const string SettingsWithLz4 = Settings + ", set_config('default_toast_compression', 'lz4', true)";

        public Statements(IDocumentStore store)
        {
            var streams = EventTable(store, "mt_streams");
            var eventsTable = EventTable(store, "mt_events");
            var sequence = $"{store.Options.Events.DatabaseSchemaName}.mt_events_sequence";
            var messages = Table<Message>(store);
            // From the stream rows out: a new stream (most of a commit's) costs one index probe, not two,
            // and its document cannot exist without it (they are written with it, in one transaction).
            Lookup =
                $"select s.id, s.version, s.is_archived, m.data, r.data from unnest($1::text[]) k join {streams} s on s.id = k " +
                $"left join {messages} m on m.id = s.id left join {Table<Reply>(store)} r on r.id = s.id";
            // Inserted, never updated: a request is kept whole, once (mt_version keeps Marten's default).
            InsertRecords =
                $"insert into {Table<RawRequestRecord>(store)} ({string.Join(", ", WrittenColumns.RawRecords)}) " +
                $"select u.id, u.data, '{typeof(RawRequestRecord).FullName}', transaction_timestamp() from unnest($1::uuid[], $2::jsonb[]) as u(id, data)";
            InsertStreams =
                $"insert into {streams} ({string.Join(", ", WrittenColumns.Streams)}) " +
                $"select u.id, null, u.version, now(), now(), '{Tenant}', false from unnest($1::text[], $2::bigint[]) as u(id, version)";
            UpsertStreams = InsertStreams + " on conflict (id) do update set version = excluded.version, timestamp = excluded.timestamp";
            InsertEvents =
                $"insert into {eventsTable} ({string.Join(", ", WrittenColumns.Events)}) " +
                $"select nextval('{sequence}'), u.id, u.stream_id, u.version, u.data, u.type, '{Tenant}', now(), false " +
                "from unnest($1::uuid[], $2::text[], $3::bigint[], $4::jsonb[], $5::text[]) as u(id, stream_id, version, data, type)";
            InsertMessages = InsertDuplicated(messages);
            UpsertMessages = InsertMessages + OnConflictDuplicated;
            UpsertRejected = InsertDuplicated(Table<RejectedRequest>(store)) + OnConflictDuplicated;
            UpsertReplies =
                $"insert into {Table<Reply>(store)} (id, data, mt_version, mt_dotnet_type, mt_last_modified) " +
                $"select u.id, u.data, u.version, '{typeof(Reply).FullName}', transaction_timestamp() " +
                "from unnest($1::text[], $2::jsonb[], $3::bigint[]) as u(id, data, version) " +
                "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_dotnet_type = excluded.mt_dotnet_type, " +
                "mt_last_modified = excluded.mt_last_modified";
        }

        /// <summary>The existing streams among $1 (stream keys): id, version, archived, and their message or reply document.</summary>
        public string Lookup { get; }
        public string InsertRecords { get; }
        public string InsertStreams { get; }
        public string UpsertStreams { get; }
        public string InsertEvents { get; }
        public string InsertMessages { get; }
        public string UpsertMessages { get; }
        public string UpsertRejected { get; }
        public string UpsertReplies { get; }

        /// <summary>A document insert, with the duplicated day, provider and account columns (an upsert with <see cref="OnConflictDuplicated"/>).</summary>
        private static string InsertDuplicated(string table) =>
            $"insert into {table} ({string.Join(", ", WrittenColumns.Documents)}, day, provider, account) " +
            "select u.id, u.data, u.version, transaction_timestamp(), u.day, u.provider, u.account " +
            "from unnest($1::text[], $2::jsonb[], $3::bigint[], $4::text[], $5::text[], $6::text[]) as u(id, data, version, day, provider, account)";

        private const string OnConflictDuplicated =
            " on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, " +
            "mt_last_modified = excluded.mt_last_modified, day = excluded.day, provider = excluded.provider, account = excluded.account";

        private static string Table<T>(IDocumentStore store) => MartenTable(store, typeof(T)).Identifier.QualifiedName;
    }

    /// <summary>Marten's own definition of a document type's table (name, columns): what this writer writes into.</summary>
    public static Weasel.Postgresql.Tables.Table MartenTable(IDocumentStore store, Type document) =>
        ((Marten.StoreOptions)store.Options).Storage.FindFeature(document).Objects.OfType<Weasel.Postgresql.Tables.Table>().Single();

    /// <summary>Marten's own definitions of the event store's tables (mt_streams, mt_events, …).</summary>
    public static IReadOnlyList<Weasel.Postgresql.Tables.Table> EventTables(IDocumentStore store) =>
        ((Marten.StoreOptions)store.Options).Storage.FindFeature(typeof(JasperFx.Events.IEvent)).Objects.OfType<Weasel.Postgresql.Tables.Table>().ToList();

    /// <summary>One of the event store's tables by Marten's name for it (`mt_streams`, `mt_events`), schema-qualified as Marten maps it.</summary>
    public static string EventTable(IDocumentStore store, string name) =>
        EventTables(store).Single(t => t.Identifier.Name == name).Identifier.QualifiedName;
}

/// <summary>
/// The columns of Marten's tables this writer fills, in the order its statements list them. The
/// compatibility tests hold them to Marten's table definitions: every column written exists, and every
/// column Marten requires (not null, no default) is written, so an upgrade of Marten that changes a table
/// fails a test instead of corrupting a stream. `mt_dotnet_type` (nullable) is left empty for events and the
/// duplicated-column documents: Marten reads events by their pinned type name and these documents have no
/// subclasses, and the .NET type name was ~40 of every event's and document's bytes (docs/performance.md).
/// </summary>
public static class WrittenColumns
{
    public static readonly string[] Events = ["seq_id", "id", "stream_id", "version", "data", "type", "tenant_id", "timestamp", "is_archived"];
    public static readonly string[] Streams = ["id", "type", "version", "timestamp", "created", "tenant_id", "is_archived"];
    public static readonly string[] Documents = ["id", "data", "mt_version", "mt_last_modified"];
    public static readonly string[] RawRecords = ["id", "data", "mt_dotnet_type", "mt_last_modified"];

    /// <summary>The flag of Marten's stream archiving, on the stream row and on each event (<see cref="ArchiveWriter"/>).</summary>
    public const string Archived = "is_archived";
}
