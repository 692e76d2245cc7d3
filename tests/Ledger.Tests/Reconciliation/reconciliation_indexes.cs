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
    public async Task the_message_rows_have_only_the_indexes_a_documented_query_uses()
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

        // Daily totals (day, provider, account together: never each alone), search by phone digits and by
        // our own reference (a search always names one of them, so its newest-first order needs no index of
        // its own); and the primary key. Nothing else costs a write per report.
        definitions.ShouldContain(d => d.Contains("(day, provider, account)", StringComparison.Ordinal), string.Join("\n", definitions));
        definitions.ShouldContain(d => d.Contains("PRIMARY", StringComparison.OrdinalIgnoreCase) || d.Contains("pkey", StringComparison.Ordinal));
        definitions.ShouldContain(d => d.Contains("'PhoneDigits'", StringComparison.Ordinal));
        definitions.ShouldContain(d => d.Contains("'OutId'", StringComparison.Ordinal));
        definitions.ShouldNotContain(d => d.Contains("'FirstReceivedAt'", StringComparison.Ordinal));
        definitions.Count.ShouldBe(4, string.Join("\n", definitions));
    }
}
