using Ledger.Ingest;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Writes a group commit's appends and their inline read models, set-based: a fixed number of
/// statements per commit, however many reports it holds. It takes the streams' locks
/// (<see cref="StreamLocks"/>) before it reads anything and brings archived streams back. Either into the
/// caller's open transaction, or (<c>transaction: true</c>) in one of its own that it begins in its first
/// round trip and commits in its last: a round trip less per commit.
/// </summary>
public interface IStreamAppender
{
    /// <param name="withRecords">Also insert the writes' raw request records (else the caller stores them).</param>
    /// <param name="transaction">
    /// Begin and commit a transaction of its own (the connection must have none open). When it throws, the
    /// transaction may still be open: the caller rolls it back or discards the connection.
    /// </param>
    /// <returns>
    /// Every stream it appended to, with the documents the commit left for it, and each write as it committed
    /// (<see cref="Admission"/>: another account's items quarantined, a reused nonce refused).
    /// </returns>
    Task<Committed> AppendAsync(NpgsqlConnection connection, IReadOnlyList<IngestWrite> writes, bool withRecords,
        bool transaction = false, CancellationToken ct = default);
}

/// <param name="Streams">Every stream the commit appended to.</param>
/// <param name="Writes">The commit's writes as they were written, in the order given.</param>
public sealed record Committed(IReadOnlyList<AppendedStream> Streams, IReadOnlyList<IngestWrite> Writes);

/// <param name="StreamKey">The stream.</param>
/// <param name="Count">Events this commit appended to it (the last ones of the stream).</param>
/// <param name="Documents">Its inline documents as they are after the commit.</param>
public sealed record AppendedStream(string StreamKey, int Count, IReadOnlyList<object> Documents);
