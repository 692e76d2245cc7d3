using Ledger.Tests.Support;
using Npgsql;

namespace Ledger.Tests.Ingest;

/// <summary>
/// The group commit's writer begins its transaction with its first statements and commits with its last
/// (no round trip of its own for either). A commit that fails must leave nothing behind: no half-written
/// rows, no transaction left open on a pooled connection, and its neighbours committed on their own.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_shared_commit_fails(LedgerFixture fixture)
{
    [Fact]
    public async Task the_failing_request_gets_an_error_its_neighbours_commit_and_no_transaction_stays_open()
    {
        var schema = "poison" + Payloads.NewId()[..8].ToLowerInvariant();
        // Its own application name, so its sessions can be told from those of the tests running beside it.
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { ApplicationName = schema }.ConnectionString;
        await using var host = await LedgerFixture.StartHostAsync(connectionString, schema);
        var biz = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000900", true)))).Status.ShouldBe(200);

        // A stream whose recorded version lags its events: every append to it collides on (stream, version).
        var poisoned = $"aliyun:{biz}:13800000901";
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var plant = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(
                        $"insert into {schema}.mt_streams (id, version, timestamp, created, tenant_id, is_archived) values ($1, 0, now(), now(), '*DEFAULT*', false)")
                    {
                        Parameters = { new NpgsqlParameter { Value = poisoned } },
                    },
                    new NpgsqlBatchCommand(
                        $"insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, is_archived) " +
                        $"values (nextval('{schema}.mt_events_sequence'), gen_random_uuid(), $1, 1, '{{}}', 'callback_received', '*DEFAULT*', now(), false)")
                    {
                        Parameters = { new NpgsqlParameter { Value = poisoned } },
                    },
                },
            };
            await plant.ExecuteNonQueryAsync();
        }

        // The poisoned report and twenty neighbours at once, so they share commits with it.
        var neighbours = Enumerable.Range(0, 20).Select(i => $"1390000{i:D4}").ToArray();
        var poisonedPush = host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000901", true)));
        var pushes = neighbours.Select(phone => host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phone, true)))).ToArray();
        // Never a 5xx: the request the store would not take is kept in quarantine with the store's reason (replayable).
        var (refusedStatus, refusal, _) = await poisonedPush;
        refusedStatus.ShouldBe(422, refusal);
        refusal.ShouldContain(Ledger.Providers.RejectionReasons.Unstorable);
        refusal.ShouldContain("23505");
        (await Task.WhenAll(pushes)).ShouldAllBe(r => r.Status == 200);

        foreach (var phone in neighbours)
        {
            (await host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}")).Status.ShouldBe(200);
        }

        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            // Nothing of the failed commit: only the planted event, no status document.
            await using var events = new NpgsqlCommand($"select count(*) from {schema}.mt_events where stream_id = $1", connection);
            events.Parameters.AddWithValue(poisoned);
            ((long)(await events.ExecuteScalarAsync())!).ShouldBe(1);
            await using var status = new NpgsqlCommand($"select count(*) from {schema}.mt_doc_message where id = $1", connection);
            status.Parameters.AddWithValue(poisoned);
            ((long)(await status.ExecuteScalarAsync())!).ShouldBe(0);

            // No session of this host is left in the failed transaction (PostgreSQL shows it as aborted and
            // idle until the session ends it).
            await using var open = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where application_name = $1 and state = 'idle in transaction (aborted)'", connection);
            open.Parameters.AddWithValue(schema);
            ((long)(await open.ExecuteScalarAsync())!).ShouldBe(0);
            await using var mine = new NpgsqlCommand("select count(*) from pg_stat_activity where application_name = $1", connection);
            mine.Parameters.AddWithValue(schema);
            ((long)(await mine.ExecuteScalarAsync())!).ShouldBeGreaterThan(0); // the name does pick out this host's sessions
        }

        // The pool's connections still work: the next commits go through.
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000902", true)))).Status.ShouldBe(200);
    }
}
