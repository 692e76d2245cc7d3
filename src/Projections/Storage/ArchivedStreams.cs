using Marten;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Streams retention archived (Marten archiving: final, old messages), brought back when something new
/// must be appended to them.
/// </summary>
public static class ArchivedStreams
{
    /// <summary>
    /// Brings archived streams back to live (retention archives final, old messages): a late report or a
    /// replay's correction for such a message must still be appended, never refused. Call it inside the
    /// transaction that holds the streams' locks.
    /// </summary>
    public static Task RestoreAsync(IDocumentSession session, IReadOnlyCollection<string> streamKeys, CancellationToken ct = default) =>
        RestoreAsync((NpgsqlConnection)session.Connection!, session.DocumentStore.Options.Events.DatabaseSchemaName, streamKeys, ct);

    /// <param name="schema">The event store's schema.</param>
    public static async Task RestoreAsync(NpgsqlConnection connection, string schema, IReadOnlyCollection<string> streamKeys, CancellationToken ct = default)
    {
        if (streamKeys.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"update {schema}.mt_streams set is_archived = false where id = any(@keys) and is_archived; " +
            $"update {schema}.mt_events set is_archived = false where stream_id = any(@keys) and is_archived",
            connection);
        command.Parameters.AddWithValue("keys", streamKeys.ToArray());
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
