using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Storage;
using Ledger.Tests.Reconciliation;
using Ledger.Tests.Support;
using Marten;
using Npgsql;

namespace Ledger.Tests.Edges;

/// <summary>
/// Locks bounded (docs/architecture.md): a commit takes at most <see cref="StreamLocks.MaxLocks"/> stream
/// locks whatever it holds; a registration of 20,000 messages is committed in chunks; PostgreSQL's "out of
/// shared memory" (53200) fails the requests of that commit one by one instead of reading as "storage down".
/// Before, one such registration overflowed the lock table and every request of the commit got 503.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_request_touches_many_streams(LedgerFixture fixture)
{
    [Fact]
    public async Task twenty_thousand_registrations_commit_in_chunks_under_one_raw_record()
    {
        var run = Payloads.NewId();
        var rows = Enumerable.Range(0, 20_000).Select(i => Finance.Sent("tencent", $"many-{run}-{i}", "2035-03-01T02:00:00Z")).ToArray();

        var answer = await fixture.Host.RegisterAsync(rows);

        answer.GetProperty("registered").GetInt32().ShouldBe(20_000);
        var requestId = answer.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        (await session.Query<Message>().CountAsync(m => m.Id.Contains($":many-{run}-") && m.SentAt != null)).ShouldBe(20_000);
        (await session.Query<RawRequestRecord>().CountAsync(r => r.Id == requestId)).ShouldBe(1);
    }

    [Fact]
    public async Task a_commit_never_takes_more_locks_than_the_bound()
    {
        var keys = Enumerable.Range(0, StreamLocks.MaxLocks * 3).Select(i => $"locks-{Payloads.NewId()}-{i}").ToArray();
        await using var connection = fixture.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        await StreamLocks.LockAsync(connection, keys);

        await using var held = new NpgsqlCommand("select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()", connection);
        ((long)(await held.ExecuteScalarAsync())!).ShouldBe(StreamLocks.MaxLocks);
    }

    [Theory]
    [InlineData("53200", false)] // out of (shared) memory: the lock table, caused by what the commit holds
    [InlineData("53400", false)] // a configured limit exceeded
    [InlineData("53100", true)] // disk full
    [InlineData("53300", true)] // too many connections
    [InlineData("57P01", true)] // the server is shutting down
    [InlineData("23505", false)] // a unique key: a conflict, not an outage
    public void only_an_outage_reads_as_storage_down(string sqlState, bool unavailable) =>
        CommitQueue.IsStorageUnavailable(new PostgresException("test", "ERROR", "ERROR", sqlState)).ShouldBe(unavailable);

    [Fact]
    public async Task a_write_the_store_refuses_fails_alone_and_its_neighbours_commit()
    {
        var commits = fixture.Host.Services.GetService(typeof(CommitQueue)).ShouldBeOfType<CommitQueue>();
        var run = Payloads.NewId();
        // A text PostgreSQL cannot hold, placed where no cleaning reaches it (written by hand, past the edge).
        var poison = Registration($"poison-{run}", account: "acct\0");
        var neighbours = Enumerable.Range(0, 30).Select(i => Registration($"fine-{run}-{i}")).ToList();

        var tasks = neighbours.Select(commits.CommitAsync).Prepend(commits.CommitAsync(poison)).ToList();
        await Should.ThrowAsync<Exception>(() => tasks[0]);
        await Task.WhenAll(tasks.Skip(1));

        await using var session = fixture.Store.QuerySession();
        (await session.Query<Message>().CountAsync(m => m.Id.Contains($":fine-{run}-"))).ShouldBe(30);
        (await session.Query<Message>().CountAsync(m => m.Id.EndsWith($":poison-{run}"))).ShouldBe(0);
    }

    private static IngestWrite Registration(string key, string account = "default")
    {
        var now = DateTimeOffset.UtcNow;
        var record = new RawRequestRecord { Id = Guid.CreateVersion7(), Provider = "tencent", Account = account, ReceivedAt = now, Method = "POST" };
        return IngestWrite.SentRegistration(record,
            [new StreamAppend(StreamKeys.Message("tencent", key), [new MessageSubmitted("tencent", account, key, null, now, 1, null, record.Id, now)])]);
    }
}
