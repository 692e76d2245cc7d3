using Marten;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Signed nonces seen within their window, in PostgreSQL so that a replayed request is refused across
/// restarts and across several instances. A nonce is claimed in the same transaction as the reports it
/// signed (the group commit's writer adds <see cref="ClaimSql"/> to its first round trip): if that commit
/// fails or the process dies, the nonce is not spent, so the provider's identical retry is accepted; once it
/// committed, a replay of it is refused. Expired nonces are deleted by <see cref="PruneAsync"/>.
/// </summary>
public sealed class NonceLedger(IDocumentStore store)
{
    private volatile bool _ready;

    private static string Table(IDocumentStore store) => $"{store.Options.DatabaseSchemaName}.ledger_nonces";

    /// <summary>
    /// Claims ($1 scopes, $2 nonces, $3 expiries: arrays, one row each, distinct); returns the (scope, nonce) of
    /// each claim that was fresh: never seen, or seen with its window over. A claim another transaction holds
    /// uncommitted waits for it: refused if it commits, fresh if it rolls back.
    /// </summary>
    public static string ClaimSql(IDocumentStore store) =>
        $"insert into {Table(store)} (scope, nonce, expires_at) select * from unnest($1::text[], $2::text[], $3::timestamptz[]) " +
        $"on conflict (scope, nonce) do update set expires_at = excluded.expires_at where {Table(store)}.expires_at < now() returning scope, nonce";

    public async Task EnsureTableAsync(CancellationToken ct = default)
    {
        if (_ready)
        {
            return;
        }

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var create = new NpgsqlCommand(
            $"create schema if not exists {store.Options.DatabaseSchemaName}; " +
            $"create table if not exists {Table(store)} (scope text not null, nonce text not null, expires_at timestamptz not null, primary key (scope, nonce))",
            connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateSchema)
        {
            // Another request or instance created it at the same moment ("if not exists" is not
            // atomic in PostgreSQL's catalogs): it exists now, which is all we need.
        }

        _ready = true;
    }

    /// <summary>Deletes the nonces whose window is over (a replay of them is refused by its stale timestamp anyway).</summary>
    /// <returns>How many were deleted.</returns>
    public async Task<int> PruneAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await EnsureTableAsync(ct);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var delete = new NpgsqlCommand($"delete from {Table(store)} where expires_at < $1", connection);
        delete.Parameters.Add(new NpgsqlParameter { Value = now });
        return await delete.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many nonces are kept (operations, tests).</summary>
    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await EnsureTableAsync(ct);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand($"select count(*) from {Table(store)}", connection);
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }
}
