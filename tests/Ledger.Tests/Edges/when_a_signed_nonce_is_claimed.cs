using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Storage;
using Ledger.Tests.Providers.Vonage;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static Ledger.Tests.Providers.Vonage.VonageRequests;

namespace Ledger.Tests.Edges;

/// <summary>
/// Nonces live and die with the commit: a signed nonce is claimed in the same transaction as the reports it
/// signed, so a commit that fails (or a process that dies before it) leaves the nonce unspent and the
/// provider's identical retry is accepted; once committed, a replay of it is refused. Before, the nonce was
/// spent on its own connection first, and the retry of a failed commit got 401 `reused_nonce` for good.
/// Expired nonces are pruned.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_signed_nonce_is_claimed(LedgerFixture fixture)
{
    [Fact]
    public async Task a_commit_that_never_happened_leaves_the_nonce_for_the_retry()
    {
        var appender = fixture.Host.Services.GetRequiredService<IStreamAppender>();
        var commits = fixture.Host.Services.GetRequiredService<CommitQueue>();
        var write = Signed(Payloads.NewId());

        // The writer claims the nonce and appends, and then the transaction ends without a commit (a crash,
        // a failed fsync): nothing of it stays, the nonce included.
        await using (var connection = fixture.Store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var attempted = await appender.AppendAsync(connection, [write], withRecords: true);
            attempted.Writes.Single().Refusal.ShouldBeNull();
            await transaction.RollbackAsync();
        }

        // The provider's retry: same nonce, accepted.
        var retried = await commits.CommitAsync(write with { Record = write.Record with { Id = Guid.CreateVersion7() } });
        retried.Refusal.ShouldBeNull();
        await using (var session = fixture.Store.QuerySession())
        {
            (await session.Events.FetchStreamAsync(write.Appends[0].StreamKey)).Count.ShouldBe(1);
        }

        // Once committed, the same nonce again is a replay.
        var replayed = await commits.CommitAsync(write with { Record = write.Record with { Id = Guid.CreateVersion7() } });
        replayed.Refusal.ShouldNotBeNull().Reason.ShouldBe(RejectionReasons.ReusedNonce);
        replayed.Record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
    }

    [Fact]
    public async Task identical_signed_requests_racing_are_applied_exactly_once()
    {
        for (var round = 0; round < 8; round++)
        {
            var id = NewId();
            var query = Encoded(VonageRequests.Signed(Receipt(id), "new-signature-secret"));

            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.Host.GetAsync($"/callbacks/vonage/signed?{query}")));

            answers.Count(a => a.Status == 200).ShouldBe(1);
            answers.Where(a => a.Status != 200).ShouldAllBe(a => a.Status == 401 && a.Body.Contains(RejectionReasons.ReusedNonce));
            var (_, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
            view.GetProperty("callbackCount").GetInt32().ShouldBe(1);
        }
    }

    [Fact]
    public async Task expired_nonces_are_pruned()
    {
        var nonces = fixture.Host.Services.GetRequiredService<NonceLedger>();
        var commits = fixture.Host.Services.GetRequiredService<CommitQueue>();
        var write = Signed(Payloads.NewId(), expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        (await commits.CommitAsync(write)).Refusal.ShouldBeNull();
        var before = await nonces.CountAsync();

        var pruned = await nonces.PruneAsync(DateTimeOffset.UtcNow);

        pruned.ShouldBeGreaterThanOrEqualTo(1);
        (await nonces.CountAsync()).ShouldBe(before - pruned);
        // Its window over, the nonce is fresh again (a replay that old is refused by its stale timestamp instead).
        (await commits.CommitAsync(write with { Record = write.Record with { Id = Guid.CreateVersion7() } })).Refusal.ShouldBeNull();
    }

    /// <summary>A one-report write as the edge makes it for a signed request carrying a nonce.</summary>
    private static IngestWrite Signed(string messageKey, DateTimeOffset? expiresAt = null)
    {
        var now = DateTimeOffset.UtcNow;
        var raw = new RawCallback(Guid.CreateVersion7(), "POST", "http://test/callbacks/vonage/signed", "/callbacks/vonage/signed", "", [], "{}"u8.ToArray(),
            "127.0.0.1", now);
        var report = new Report(DeliveryStatus.Delivered, true, "delivered", "0", null, null, null, null, 1, "test-1");
        var write = IngestWrite.Accepted(RawRequestRecord.From(raw, "vonage", "signed"), [new CallbackItem(messageKey, "{}", report)]);
        return write with { Nonce = new NonceClaimed("vonage/signed", "nonce-" + messageKey, expiresAt ?? now.AddMinutes(5)) };
    }
}
