using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Every write to streams (the one writer's appends, for the group commit and replay chunks alike, and
/// archiving) takes a transaction-scoped advisory lock per stream, in hash order (no deadlocks), before it
/// reads the streams' versions and documents. A concurrent writer of the same stream, in this instance or
/// another, then waits for our commit instead of projecting from a stale document.
/// <para>
/// Bounded: a transaction takes at most <see cref="MaxLocks"/> (PostgreSQL's shared lock table holds about
/// 64 per connection; a request of 20,000 streams once overflowed it). Commits are sized to stay under it
/// (CommitQueueOptions.MaxStreamsPerCommit, at most 1,000 items per request, registrations in chunks). Locks
/// only spare a writer a retry: correctness rests on Marten's unique (stream, version) index, which refuses
/// the second of two appends that read the same version, and the writer then tries again.
/// </para>
/// </summary>
public static class StreamLocks
{
    /// <summary>Most locks one transaction takes.</summary>
    public const int MaxLocks = 1000;

    /// <summary>The locks of the stream keys in $1 (text[]), taken in hash order, at most <see cref="MaxLocks"/>.</summary>
    public const string LockSql =
        "select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest($1::text[]) k order by h limit 1000) locks order by h";

    /// <summary>The locks alone, on a connection whose transaction is already open.</summary>
    public static async Task LockAsync(NpgsqlConnection connection, IReadOnlyCollection<string> streamKeys, CancellationToken ct = default)
    {
        if (streamKeys.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(LockSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = streamKeys.ToArray() });
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
