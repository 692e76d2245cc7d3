using System.Text.Json;
using Ledger.Tests.Pull;
using Ledger.Tests.Pull.Fakes;
using Ledger.Tests.Reconciliation;
using Ledger.Tests.Support;

namespace Ledger.Tests.Resend;

/// <summary>docs/rules.md rule 10: retryable failures and reports still missing after pulling; never delivered, never permanent.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_listing_resend_candidates(LedgerFixture fixture) : IAsyncLifetime
{
    private PullHost _pull = null!;

    public async Task InitializeAsync() => _pull = await PullHost.StartAsync(fixture);

    public async Task DisposeAsync() => await _pull.DisposeAsync();

    [Fact]
    public async Task they_are_exactly_the_retryable_failures_and_the_unfilled_missing_reports()
    {
        var sentAt = PullHost.Now().AddMinutes(-40); // the pull sweep's wait (30 min) is over, the missing-report wait (1 h) not yet
        var reported = PullHost.Beijing(sentAt.AddMinutes(1));
        string Key(string biz, string phone) => $"{biz}:{phone}";
        string Shown(string biz, string phone) => $"{biz}:{phone[..3]}****{phone[7..]}"; // support sees the phone inside an Alibaba key masked
        var unreachable = (Biz: Payloads.NewId(), Phone: "13700005001");   // failed, MK:0023 关机: retryable
        var invalid = (Biz: Payloads.NewId(), Phone: "13700005002");       // failed, MK:0001 空号: permanent
        var delivered = (Biz: Payloads.NewId(), Phone: "13700005003");
        var pulledNothing = (Biz: Payloads.NewId(), Phone: "13700005004"); // the pull found no report: gave up
        var notPulledYet = (Biz: Payloads.NewId(), Phone: "13700005005");  // missing, but nobody asked yet
        var pulledDelivered = (Biz: Payloads.NewId(), Phone: "13700005006");
        var all = new[] { unreachable, invalid, delivered, pulledNothing, notPulledYet, pulledDelivered };
        await _pull.Host.RegisterAsync([.. all.Select(m => Finance.Sent("aliyun", Key(m.Biz, m.Phone), sentAt.ToString("O"), account: "resend", phone: m.Phone))]);
        foreach (var (m, success, code) in new[] { (unreachable, false, "MK:0023"), (invalid, false, "MK:0001"), (delivered, true, "DELIVERED") })
        {
            var (status, body, _) = await _pull.Host.PostAsync("/callbacks/aliyun/resend", Payloads.Array(Payloads.AliyunItem(m.Biz, m.Phone, success, reported, code)));
            status.ShouldBe(200, body);
        }

        _pull.Aliyun.Override = request => PullHost.BizId(request) == pulledDelivered.Biz
            ? new FakeReply(200, PullHost.AliyunAnswer(pulledDelivered.Phone, 3, "DELIVERED", reported))
            : new FakeReply(200, PullHost.AliyunNothing);
        var id = await _pull.StartPullAsync(new
        {
            provider = "aliyun",
            account = "resend",
            from = sentAt.AddHours(-1),
            to = PullHost.Now(),
            messageKeys = new[] { Key(pulledNothing.Biz, pulledNothing.Phone), Key(pulledDelivered.Biz, pulledDelivered.Phone) },
        });
        (await PullHost.WaitForPullAsync(_pull.Host, id, PullHost.Finished)).GetProperty("state").GetString().ShouldBe("completed");

        var from = PullHost.BeijingDay(sentAt.AddDays(-1));
        var to = PullHost.BeijingDay(sentAt.AddDays(1));
        var (listed, json) = await _pull.Host.GetJsonAsync($"/resend-candidates?from={from}&to={to}&provider=aliyun&account=resend");
        listed.ShouldBe(200);
        var rows = json.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("messageKey").GetString()!);
        rows.Keys.Order().ShouldBe(new[] { Shown(unreachable.Biz, unreachable.Phone), Shown(pulledNothing.Biz, pulledNothing.Phone) }.Order());

        var failure = rows[Shown(unreachable.Biz, unreachable.Phone)];
        failure.GetProperty("status").GetString().ShouldBe("failed");
        failure.GetProperty("category").GetString().ShouldBe("unreachable");
        failure.GetProperty("reason").GetString()!.ShouldContain("retryable");
        failure.GetProperty("since").GetDateTimeOffset().ShouldBe(sentAt.AddMinutes(1));
        var missing = rows[Shown(pulledNothing.Biz, pulledNothing.Phone)];
        missing.GetProperty("status").GetString().ShouldBe("pending");
        missing.GetProperty("reason").GetString()!.ShouldContain("pull");
        missing.GetProperty("account").GetString().ShouldBe("resend");
        missing.GetProperty("provider").GetString().ShouldBe("aliyun");

        var (csvStatus, csv, contentType) = await _pull.Host.GetRawAsync($"/resend-candidates?from={from}&to={to}&provider=aliyun&account=resend&format=csv", LedgerApi.SupportKey);
        csvStatus.ShouldBe(200);
        contentType!.ShouldStartWith("text/csv");
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("provider,account,messageKey,status,category,reason,since");
        lines.Length.ShouldBe(3);

        var daily = await _pull.Host.DailyAsync(from, to, "&provider=aliyun&account=resend");
        daily.Sum(r => r.GetProperty("resendCandidates").GetInt32()).ShouldBe(2);
        daily.Sum(r => r.GetProperty("pulled").GetInt32()).ShouldBe(1);
    }
}
