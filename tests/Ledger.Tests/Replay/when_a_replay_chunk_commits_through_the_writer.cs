using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Providers;
using Ledger.Replay;
using Ledger.Storage;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Tests.Replay;

/// <summary>
/// A replay chunk's corrections and rescues go through the one writer (IStreamAppender), in one transaction
/// with its difference rows and the job: the writer's admission holds for them as for live ingest, and a
/// chunk whose transaction fails after the writer wrote leaves nothing behind.
/// </summary>
[Collection(ReplayCollection.Name)]
public sealed class when_a_replay_chunk_commits_through_the_writer(ReplayFixture fixture)
{
    /// <summary>Joins the chunk's transaction after the writer wrote, and fails it.</summary>
    private sealed class FailingParticipant : ICommitParticipant
    {
        public int Calls { get; private set; }

        public Task<Func<Task>?> EnlistAsync(NpgsqlTransaction transaction, IReadOnlyList<AppendedStream> appended)
        {
            Calls++;
            appended.ShouldNotBeEmpty(); // the writer has written the chunk's corrections in this transaction
            throw new InvalidOperationException("the outbox is unavailable");
        }
    }

    [Fact]
    public async Task a_chunk_that_fails_after_the_writer_wrote_keeps_no_correction_no_difference_and_no_cursor()
    {
        fixture.Adapter.Version = 1;
        var from = DateTimeOffset.UtcNow;
        await Task.Yield();
        var key = "m-" + Payloads.NewId();
        (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL"))).Status.ShouldBe(200);
        fixture.Adapter.Version = 2;

        var services = fixture.Host.Services;
        var participant = new FailingParticipant();
        var failing = new ReplayRunner(fixture.Store, services.GetRequiredService<IStreamAppender>(), services.GetRequiredService<ProviderCatalog>(),
            services.GetRequiredService<AccountLookup>(), TimeProvider.System, NullLogger<ReplayRunner>.Instance, participant);
        var job = await failing.QueueAsync(new ReplayOptions { Provider = BuggyTestAdapter.ProviderName, From = from }, "tests");
        var failed = await failing.RunAsync(job.Id);

        participant.Calls.ShouldBe(1);
        failed.State.ShouldBe(ReplayStates.Failed);
        failed.Error.ShouldBe("the outbox is unavailable");
        (await fixture.EventsAsync(key)).ShouldHaveSingleItem().ShouldBeOfType<ReportReceived>();
        await using (var session = fixture.Store.QuerySession())
        {
            var stored = await session.LoadAsync<ReplayJob>(job.Id);
            stored.ShouldNotBeNull().Cursor.ShouldBeNull();
            stored.Corrected.ShouldBe(0);
            (await session.Query<ReplayDifference>().Where(d => d.ReplayId == job.Id).CountAsync()).ShouldBe(0);
            var message = await session.LoadAsync<Message>(StreamKeys.Message(BuggyTestAdapter.ProviderName, key));
            message.ShouldNotBeNull().Status.ShouldBe(DeliveryStatus.Delivered); // as the buggy parser read it
            message.StreamVersion.ShouldBe(1);
        }

        // Nothing was half written: a replay that can commit corrects the message once.
        var again = await fixture.Runner.RunAsync((await fixture.Runner.QueueAsync(
            new ReplayOptions { Provider = BuggyTestAdapter.ProviderName, From = from }, "tests")).Id);
        again.Corrected.ShouldBe(1);
        (await fixture.EventsAsync(key)).Select(e => e.GetType()).ShouldBe([typeof(ReportReceived), typeof(InterpretationCorrected)]);
    }
}

/// <summary>
/// Accounts own their messages, for a replay's rescues too: a request quarantined because it reported on another
/// account's message still reads well today, but the writer's admission refuses to route it into that message.
/// The replay appends nothing for it (once or on any rerun) and reports it as not rescued. Before, the rescue
/// went through a Marten session of its own and was appended to the other account's message.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_replay_would_rescue_into_another_accounts_message(LedgerFixture fixture)
{
    [Fact]
    public async Task the_writer_refuses_it_and_the_difference_says_not_rescued()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "rsc" + Payloads.NewId()[..10], new Dictionary<string, string?>
        {
            ["Ledger:Providers:aliyun:prod:Token"] = "prod-token",
            ["Ledger:Providers:aliyun:test:Token"] = "test-token",
        });
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var biz = Payloads.NewId();
        var key = StreamKeys.Message("aliyun", $"{biz}:13800003041");
        (await host.PostAsync("/callbacks/aliyun/prod?token=prod-token", Payloads.Array(Payloads.AliyunItem(biz, "13800003041", success: false))))
            .Status.ShouldBe(200);
        var (status, problem, _) = await host.PostAsync("/callbacks/aliyun/test?token=test-token",
            Payloads.Array(Payloads.AliyunItem(biz, "13800003041", success: true, reportTime: "2026-11-25 10:40:00")));
        status.ShouldBe(403, problem);
        var requestId = JsonDocument.Parse(problem).RootElement.GetProperty("requestId").GetGuid();

        var runner = host.Services.GetRequiredService<ReplayRunner>();
        for (var run = 0; run < 2; run++)
        {
            var job = await runner.QueueAsync(new ReplayOptions { Provider = "aliyun", From = from, IncludeQuarantine = true }, "tests");
            var done = await runner.RunAsync(job.Id);

            done.State.ShouldBe(ReplayStates.Completed, done.Error);
            done.Rescued.ShouldBe(0);
            await using var session = store.QuerySession();
            var difference = (await session.Query<ReplayDifference>().Where(d => d.ReplayId == job.Id).ToListAsync()).ShouldHaveSingleItem();
            difference.Kind.ShouldBe(DifferenceKinds.Rescued);
            difference.Applied.ShouldBeFalse();
            difference.RequestId.ShouldBe(requestId);
            difference.Detail.ShouldNotBeNull().ShouldContain("not rescued");
            difference.Detail.ShouldContain("'prod'");
        }

        await using var query = store.QuerySession();
        (await query.Events.FetchStreamAsync(key)).ShouldHaveSingleItem().Data.ShouldBeOfType<ReportReceived>().Account.ShouldBe("prod");
        (await query.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId))).ShouldHaveSingleItem().Data.ShouldBeOfType<RequestQuarantined>();
        var message = await query.LoadAsync<Message>(key);
        message.ShouldNotBeNull().Status.ShouldBe(DeliveryStatus.Failed);
        message.CallbackCount.ShouldBe(1);
    }
}
