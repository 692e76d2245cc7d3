using Ledger.Ingest;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Writes appends and their inline read models, set-based: a fixed number of statements per call, however
/// many reports it holds. The one write path of events: the group commit's and a replay chunk's. It takes
/// the streams' locks (<see cref="StreamLocks"/>) before it reads anything and brings archived streams back.
/// Either into the caller's open transaction (a replay chunk, whose documents join it), or
/// (<c>transaction: true</c>) in one of its own that it begins in its first round trip and commits in its
/// last: a round trip less per commit.
/// </summary>
public interface IStreamAppender
{
    /// <param name="withRecords">Also insert the writes' raw request records (else the caller stores them).</param>
    /// <param name="transaction">
    /// Begin and commit a transaction of its own (the connection must have none open). When it throws, the
    /// transaction may still be open: the caller rolls it back or discards the connection.
    /// </param>
    /// <param name="expectedVersions">
    /// The version each of these streams must still be at once locked (0: not yet created), for a caller that
    /// decided its appends from a read before the locks; else <see cref="StreamMovedException"/> and nothing
    /// is written. Streams not named are appended to at whatever version they are.
    /// </param>
    /// <returns>
    /// Every stream it appended to, with the documents the commit left for it, and each write as it committed
    /// (<see cref="Admission"/>: another account's items quarantined, a reused nonce refused).
    /// </returns>
    Task<Committed> AppendAsync(NpgsqlConnection connection, IReadOnlyList<IngestWrite> writes, bool withRecords,
        bool transaction = false, CancellationToken ct = default, IReadOnlyDictionary<string, long>? expectedVersions = null);
}

/// <summary>A stream was not at the version its writer read it at (another writer appended meanwhile): nothing was written.</summary>
public sealed class StreamMovedException(string streamKey, long expected, long actual)
    : Exception($"Stream '{streamKey}' is at version {actual}, not {expected} as read.")
{
    public string StreamKey { get; } = streamKey;
}

/// <param name="Streams">Every stream the commit appended to.</param>
/// <param name="Writes">The commit's writes as they were written, in the order given.</param>
public sealed record Committed(IReadOnlyList<AppendedStream> Streams, IReadOnlyList<IngestWrite> Writes);

/// <param name="StreamKey">The stream.</param>
/// <param name="Count">Events this commit appended to it (the last ones of the stream).</param>
/// <param name="Documents">Its inline documents as they are after the commit.</param>
public sealed record AppendedStream(string StreamKey, int Count, IReadOnlyList<object> Documents);
