using System.Text.Json;
using Alba;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Replies;
using Ledger.Tests.Support;

namespace Ledger.Tests.Edges;

/// <summary>
/// Accounts own their messages (docs/rules.md): a message stream belongs to the provider account of its first
/// report or registration; a report for it from another account is refused with a clear reason, kept in
/// quarantine, and never applied. Before, a report pushed with the `test` account's token turned `prod`'s
/// failed message into delivered. Two Alibaba accounts, each with its own URL token.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_an_account_reports_on_another_accounts_message(LedgerFixture fixture) : IAsyncLifetime
{
    private IAlbaHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "own" + Payloads.NewId()[..10], new Dictionary<string, string?>
        {
            ["Ledger:Providers:aliyun:prod:Token"] = "prod-token",
            ["Ledger:Providers:aliyun:test:Token"] = "test-token",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Prod(string path = "/callbacks/aliyun/prod") => $"{path}?token=prod-token";

    private static string Test(string path = "/callbacks/aliyun/test") => $"{path}?token=test-token";

    [Fact]
    public async Task the_other_accounts_report_is_refused_with_403_kept_in_quarantine_and_never_applied()
    {
        var biz = Payloads.NewId();
        (await _host.PostAsync(Prod(), Payloads.Array(Payloads.AliyunItem(biz, "13800003001", success: false)))).Status.ShouldBe(200);

        var (status, problem, _) = await _host.PostAsync(Test(), Payloads.Array(Payloads.AliyunItem(biz, "13800003001", success: true, reportTime: "2026-11-25 10:40:00")));

        status.ShouldBe(403, problem);
        var refusal = JsonDocument.Parse(problem).RootElement;
        refusal.GetProperty("reason").GetString().ShouldBe(RejectionReasons.AccountMismatch);
        refusal.GetProperty("detail").GetString()!.ShouldContain("'prod'");
        var (_, view) = await _host.GetJsonAsync($"/messages/aliyun/{biz}:13800003001");
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(1);

        var requestId = refusal.GetProperty("requestId").GetGuid();
        var (_, record) = await _host.GetJsonAsync($"/requests/{requestId}", LedgerApi.AdminKey);
        record.GetProperty("outcome").GetString().ShouldBe(RequestOutcomes.Quarantined);
        record.GetProperty("reason").GetString().ShouldBe(RejectionReasons.AccountMismatch);
        record.GetProperty("verification").GetString().ShouldBe("passed"); // its token was right: it is refused for whose message it names
        var (_, quarantine) = await _host.GetJsonAsync("/quarantine?reason=account_mismatch", LedgerApi.AdminKey);
        quarantine.GetProperty("items").EnumerateArray().ShouldContain(q => q.GetProperty("requestId").GetGuid() == requestId);
    }

    [Fact]
    public async Task in_a_batch_only_the_other_accounts_items_are_refused()
    {
        var biz = Payloads.NewId();
        (await _host.PostAsync(Prod(), Payloads.Array(Payloads.AliyunItem(biz, "13800003011", success: false)))).Status.ShouldBe(200);

        var (status, _, _) = await _host.PostAsync(Test(), Payloads.Array(
            Payloads.AliyunItem(biz, "13800003012", success: true),
            Payloads.AliyunItem(biz, "13800003011", success: true)));

        status.ShouldBe(200);
        (await _host.GetJsonAsync($"/messages/aliyun/{biz}:13800003012")).Json.GetProperty("account").GetString().ShouldBe("test");
        (await _host.GetJsonAsync($"/messages/aliyun/{biz}:13800003011")).Json.GetProperty("status").GetString().ShouldBe("failed");
        var (_, history) = await _host.GetJsonAsync($"/messages/aliyun/{biz}:13800003012/history");
        var (_, record) = await _host.GetJsonAsync($"/requests/{history.GetProperty("events")[0].GetProperty("requestId").GetGuid()}", LedgerApi.AdminKey);
        var refused = record.GetProperty("refusedItems").EnumerateArray().Single();
        refused.GetProperty("index").GetInt32().ShouldBe(1);
        refused.GetProperty("reason").GetString().ShouldBe(RejectionReasons.AccountMismatch);
    }

    [Fact]
    public async Task when_both_accounts_race_for_a_new_message_exactly_one_owns_it()
    {
        for (var round = 0; round < 10; round++)
        {
            var biz = Payloads.NewId();
            var body = Payloads.Array(Payloads.AliyunItem(biz, "13800003021", success: true));
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _host.PostAsync(i % 2 == 0 ? Prod() : Test(), body)));

            var (_, view) = await _host.GetJsonAsync($"/messages/aliyun/{biz}:13800003021");
            var owner = view.GetProperty("account").GetString();
            owner.ShouldBeOneOf("prod", "test");
            // Every push of the owner was applied (duplicates of one report), every push of the other refused.
            answers.Count(a => a.Status == 200).ShouldBe(3);
            answers.Count(a => a.Status == 403).ShouldBe(3);
            view.GetProperty("callbackCount").GetInt32().ShouldBe(3);
        }
    }

    [Fact]
    public async Task a_registered_message_belongs_to_the_account_that_registered_it()
    {
        var biz = Payloads.NewId();
        var registration = $$"""[{"provider":"aliyun","account":"prod","messageKey":"{{biz}}:13800003031","sentAt":"2026-11-25T02:30:00Z"}]""";
        (await _host.PostAsync("/messages/sent", registration, apiKey: LedgerApi.AdminKey)).Status.ShouldBe(200);

        (await _host.PostAsync(Test(), Payloads.Array(Payloads.AliyunItem(biz, "13800003031", success: true)))).Status.ShouldBe(403);
        (await _host.PostAsync(Prod(), Payloads.Array(Payloads.AliyunItem(biz, "13800003031", success: true)))).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_reply_belongs_to_the_account_that_first_received_it()
    {
        var phone = ReplyPayloads.NewPhone();
        var body = ReplyPayloads.AliyunSmsUp(phone, "退订", Random.Shared.Next(1, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture));

        (await _host.PostAsync(Prod("/callbacks/aliyun/replies/prod"), body)).Status.ShouldBe(200);
        var (status, problem, _) = await _host.PostAsync(Test("/callbacks/aliyun/replies/test"), body);

        status.ShouldBe(403, problem);
        problem.ShouldContain(RejectionReasons.AccountMismatch);
    }
}
