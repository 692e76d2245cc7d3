using Npgsql;

namespace Ledger.Ingest;

/// <summary>
/// Writes a group commit's appends and their inline read models into the connection's open
/// transaction, set-based: a fixed number of statements per commit, however many reports it holds. It
/// takes the streams' locks (<see cref="StreamLocks"/>) before it reads anything, brings archived
/// streams back, and leaves the commit itself to the caller.
/// </summary>
public interface IStreamAppender
{
    /// <param name="withRecords">Also insert the writes' raw request records (else the caller stores them).</param>
    /// <returns>Every stream it appended to, with the documents the commit left for it.</returns>
    Task<IReadOnlyList<AppendedStream>> AppendAsync(NpgsqlConnection connection, IReadOnlyList<IngestWrite> writes, bool withRecords,
        CancellationToken ct = default);
}

/// <param name="StreamKey">The stream.</param>
/// <param name="Count">Events this commit appended to it (the last ones of the stream).</param>
/// <param name="Documents">Its inline documents as they are after the commit.</param>
public sealed record AppendedStream(string StreamKey, int Count, IReadOnlyList<object> Documents);
