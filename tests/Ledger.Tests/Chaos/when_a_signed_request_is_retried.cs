using Alba;
using Ledger.Tests.Providers.Generic;
using Ledger.Tests.Providers.Vonage;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Tests.Chaos;

/// <summary>
/// Signed nonces live and die with the commit (README "Guarantees"): a provider that signs a nonce
/// retries a request it got no acknowledgement for with the same bytes, the same nonce. If the commit of
/// that request failed, nothing of it was stored, so the retry must be taken as the first time, never
/// refused as `reused_nonce`. The commit is made to fail the way a full disk makes it fail: PostgreSQL
/// refuses the insert of the events (SQLSTATE 53100) while everything before it, the nonce's own
/// connection included, works. Fails while the nonce is spent on its own connection before the commit.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_signed_request_is_retried(LedgerFixture fixture)
{
    [Theory]
    [InlineData("vonage")]
    [InlineData("generic")]
    public async Task a_retry_of_a_request_whose_commit_failed_is_accepted_not_refused_as_a_reused_nonce(string provider)
    {
        var schema = "nc" + Payloads.NewId()[..10];
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema, TestAccounts.Load());
        var store = host.Services.GetRequiredService<IDocumentStore>();
        // The event tables, through the store's own per-type guard: applying every change at once here raced the
        // host's background services creating the message table at start (42P07, seen once in a full run).
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent));
        var events = store.Options.Events.DatabaseSchemaName;
        var (messageKey, send) = SignedRequest(host, provider);

        await ExecuteAsync($"""
            create function {events}.refuse_events() returns trigger language plpgsql as $$
            begin raise exception 'could not extend file: No space left on device (test)' using errcode = 'disk_full'; end $$;
            create trigger refuse_events before insert on {events}.mt_events for each row execute function {events}.refuse_events();
            """);
        var (failed, failedBody) = await send();
        await ExecuteAsync($"drop trigger refuse_events on {events}.mt_events; drop function {events}.refuse_events();");

        failed.ShouldBe(503, $"the commit failed, so the request is not acknowledged: {failedBody}");
        var (retried, retriedBody) = await send();
        retried.ShouldBe(200, $"the identical retry of a request that was never stored must be accepted, not refused: {retriedBody}");
        var (status, _, _) = await host.GetRawAsync($"/messages/{provider}/{Uri.EscapeDataString(messageKey)}", LedgerApi.SupportKey);
        status.ShouldBe(200);

        // The nonce is spent now: a third identical request is a replay.
        var (replayed, replayedBody) = await send();
        replayed.ShouldBe(401);
        replayedBody.ShouldContain("reused_nonce");
    }

    /// <summary>A signed report with a nonce (Vonage's `signed` account, the generic default account) and a sender of its identical bytes.</summary>
    private static (string MessageKey, Func<Task<(int Status, string Body)>> Send) SignedRequest(IAlbaHost host, string provider)
    {
        if (provider == "vonage")
        {
            var id = VonageRequests.NewId();
            var body = VonageRequests.Encoded(VonageRequests.Signed(VonageRequests.Receipt(id), "new-signature-secret"));
            return (id, () => host.PostBodyAsync("/callbacks/vonage/signed", body, "application/x-www-form-urlencoded"));
        }

        var msgid = "nc-" + Payloads.NewId();
        var (form, headers) = GatewaySigner.DefaultForm(GatewaySigner.Report(msgid), at: DateTimeOffset.UtcNow);
        return (msgid, async () =>
        {
            var (status, answer, _) = await host.PostSignedAsync("/callbacks/generic", form, GatewaySigner.FormType, headers);
            return (status, answer);
        }
        );
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
