using System.Buffers;
using System.Collections.Concurrent;
using System.Data;
using Ledger.Projections;
using Ledger.Web.Hosting;
using Marten;
using Npgsql;

namespace Ledger.Web.Messages;

/// <summary>
/// A document's stored JSON, read by primary key straight from its Marten table as UTF-8 bytes in a
/// pooled buffer: no session, no deserialization. The read endpoints turn these bytes into the
/// contract's JSON in one pass (<see cref="HistoryJson"/>, <see cref="MessageStatusJson"/>). Going
/// through Marten cost a session, the document's object graph and then the view's on every request:
/// on the bench (64 readers) a history read took 105–130 µs of service CPU that way, 40–50 µs now.
/// </summary>
/// <remarks>
/// These reads have a pool of their own, multiplexed (<see cref="ForReads"/>): many concurrent
/// primary-key reads share a few connections, written out together and answered back to back, so a
/// PostgreSQL backend works through a queue of them instead of sleeping and waking for each one. On the
/// bench that cut PostgreSQL's CPU per status read from about 90 µs to 30 µs and doubled the rate.
/// Nothing else uses this pool: transactions and Marten's sessions keep theirs.
/// </remarks>
public sealed class StoredDocuments : IAsyncDisposable
{
    /// <summary>Connections of the read pool: on the bench, 4 or 8 served 64 readers better than 100 did.</summary>
    public const int ReadConnections = 8;

    private const byte JsonbVersion = 1;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _multiplexed;

    public StoredDocuments(IDocumentStore store, LedgerDatabase database)
    {
        var settings = new NpgsqlConnectionStringBuilder(ForReads(LedgerDatabase.Tuned(database.ConnectionString)));
        _dataSource = NpgsqlDataSource.Create(settings);
        _multiplexed = settings.Multiplexing;
        Histories = Select(store, typeof(DeliveryHistory));
        Statuses = Select(store, typeof(MessageStatus));
    }

    /// <summary>`select data … where id = $1` on the DeliveryHistory table.</summary>
    public Statement Histories { get; }

    /// <summary>`select data … where id = $1` on the MessageStatus table.</summary>
    public Statement Statuses { get; }

    /// <summary>The stored JSON of the document with this id, or null when there is none.</summary>
    public async Task<StoredJson?> ReadAsync(Statement select, string id, CancellationToken ct)
    {
        var command = await select.RentAsync(ct);
        try
        {
            ((NpgsqlParameter<string>)command.Parameters[0]).TypedValue = id;
            StoredJson? json;
            await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct))
            {
                json = await reader.ReadAsync(ct) ? Copy(reader) : null;
            }

            await select.ReturnAsync(command);
            return json;
        }
        catch
        {
            await Statement.DiscardAsync(command);
            throw;
        }
    }

    /// <summary>
    /// The ledger's connection settings with multiplexing on (unless the connection string says otherwise)
    /// and at most <see cref="ReadConnections"/> connections: multiplexing opens a new connection whenever
    /// none is idle, so 64 concurrent readers had opened 64 (64 backends taking turns on the cores, and
    /// 64 of max_connections); capped, concurrent reads queue onto the open ones and are sent together.
    /// </summary>
    public static string ForReads(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Multiplexing", StringComparison.OrdinalIgnoreCase))
        {
            builder.Multiplexing = true;
        }

        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, ReadConnections);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        return builder.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await Histories.DisposeIdleAsync();
        await Statuses.DisposeIdleAsync();
        await _dataSource.DisposeAsync();
    }

    /// <summary>The row's document copied into a pooled buffer; the whole row is in Npgsql's buffer by now, so no I/O.</summary>
    private static StoredJson Copy(NpgsqlDataReader reader)
    {
        // jsonb's binary form is a format version byte (1), then the JSON text.
        using var column = reader.GetStream(0);
        if (column.ReadByte() is var version and not JsonbVersion)
        {
            throw new NotSupportedException($"The document's jsonb arrived in format version {version}; this reader knows version {JsonbVersion}.");
        }

        var length = (int)column.Length - 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        column.ReadExactly(buffer, 0, length);
        return new StoredJson(buffer, length);
    }

    private Statement Select(IDocumentStore store, Type document) => new(
        _dataSource,
        _multiplexed,
        $"select data from {store.Options.FindOrResolveDocumentType(document).TableName.QualifiedName} where id = $1",
        ct => store.Storage.Database.EnsureStorageExistsAsync(document, ct));

    /// <summary>
    /// One query of the read pool and its idle commands. A command and its connection (multiplexed: it
    /// holds no physical connection between reads) are reused rather than built for every read, which
    /// was a quarter of a read's allocations (connection, command, parameter and their lists); without
    /// multiplexing a connection holds a physical one while open, so each read gets its own and closes it.
    /// Before the first read, the table is made to exist as Marten would on first use of the document
    /// type (on a new database, a read can come before any callback: not found, not an error).
    /// </summary>
    public sealed class Statement(NpgsqlDataSource dataSource, bool multiplexed, string sql, Func<CancellationToken, ValueTask> ensureTable)
    {
        private readonly ConcurrentQueue<NpgsqlCommand> _idle = new();
        private volatile bool _tableEnsured;

        internal async ValueTask<NpgsqlCommand> RentAsync(CancellationToken ct)
        {
            if (_idle.TryDequeue(out var command))
            {
                return command;
            }

            if (!_tableEnsured)
            {
                await ensureTable(ct);
                _tableEnsured = true;
            }

            var connection = await dataSource.OpenConnectionAsync(ct);
            return new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter<string>() } };
        }

        internal async ValueTask ReturnAsync(NpgsqlCommand command)
        {
            if (multiplexed)
            {
                _idle.Enqueue(command);
            }
            else
            {
                await DiscardAsync(command);
            }
        }

        /// <summary>A command that failed is not reused: its connection may be broken.</summary>
        internal static async ValueTask DiscardAsync(NpgsqlCommand command)
        {
            var connection = command.Connection;
            await command.DisposeAsync();
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        internal async ValueTask DisposeIdleAsync()
        {
            while (_idle.TryDequeue(out var command))
            {
                await DiscardAsync(command);
            }
        }
    }
}

/// <summary>A stored document's JSON in a pooled buffer; dispose to return the buffer.</summary>
public sealed class StoredJson(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlySpan<byte> Utf8 => (_buffer ?? throw new ObjectDisposedException(nameof(StoredJson))).AsSpan(0, length);

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
