using Marten;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Signed nonces seen within their window, in PostgreSQL so that a replayed request is refused across
/// restarts and across several instances. A nonce is consumed when it is first seen (before the append
/// commits): providers that sign a nonce sign a fresh one on each retry.
/// </summary>
public sealed class NonceLedger(IDocumentStore store)
{
    private volatile bool _ready;

    private string Table => $"{store.Options.DatabaseSchemaName}.ledger_nonces";

    /// <returns>true the first time the nonce is seen for the scope (or after its window expired).</returns>
    public async Task<bool> TryUseAsync(string scope, string nonce, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        // Its own autocommit connection: the claim must be durable on its own, not ride in a session
        // transaction that is never committed.
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);

        if (!_ready)
        {
            await using var create = new NpgsqlCommand(
                $"create schema if not exists {store.Options.DatabaseSchemaName}; " +
                $"create table if not exists {Table} (scope text not null, nonce text not null, expires_at timestamptz not null, primary key (scope, nonce))",
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

        await using var command = new NpgsqlCommand(
            $"insert into {Table} (scope, nonce, expires_at) values (@scope, @nonce, @expires) " +
            $"on conflict (scope, nonce) do update set expires_at = excluded.expires_at where {Table}.expires_at < now() returning 1",
            connection);
        command.Parameters.AddWithValue("scope", scope);
        command.Parameters.AddWithValue("nonce", nonce);
        command.Parameters.AddWithValue("expires", expiresAt);
        return await command.ExecuteScalarAsync(ct) is not null;
    }
}
