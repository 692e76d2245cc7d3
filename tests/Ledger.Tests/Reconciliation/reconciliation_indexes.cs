using Ledger.Tests.Support;
using Marten;
using Npgsql;

namespace Ledger.Tests.Reconciliation;

/// <summary>
/// The finance table keeps one composite index over its duplicated filter columns and not Marten's
/// single-column one per duplicated column (each cost an index entry per report written).
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class reconciliation_indexes(LedgerFixture fixture)
{
    [Fact]
    public async Task the_message_rows_have_the_composite_index_only()
    {
        await fixture.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select indexdef from pg_indexes where schemaname = $1 and tablename = 'mt_doc_message'", connection);
        command.Parameters.AddWithValue(fixture.Store.Options.DatabaseSchemaName);
        var definitions = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                definitions.Add(reader.GetString(0));
            }
        }

        definitions.ShouldContain(d => d.Contains("(day, provider, account)", StringComparison.Ordinal), string.Join("\n", definitions));
        definitions.ShouldContain(d => d.Contains("PRIMARY", StringComparison.OrdinalIgnoreCase) || d.Contains("pkey", StringComparison.Ordinal));
        definitions.Count.ShouldBe(2, string.Join("\n", definitions));
    }
}
