using System.Text;
using System.Text.Json;
using Ledger.Ingest;
using Ledger.Tests.Pull.Fakes;
using Ledger.Tests.Reconciliation;
using Ledger.Tests.Support;
using Ledger.Web.Pulls;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Pull;

/// <summary>Pull jobs against local fakes of Alibaba's and Tencent's query APIs (docs/rules.md rule 9).</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_pull_fills_missing_reports(LedgerFixture fixture) : IAsyncLifetime
{
    private PullHost _pull = null!;

    public async Task InitializeAsync() => _pull = await PullHost.StartAsync(fixture);

    public async Task DisposeAsync() => await _pull.DisposeAsync();

    private async Task PushAliyunAsync(string account, string biz, string phone, bool success, string reportTime, string? errCode = null)
    {
        var (status, body, _) = await _pull.Host.PostAsync(account == "default" ? "/callbacks/aliyun" : $"/callbacks/aliyun/{account}",
            Payloads.Array(Payloads.AliyunItem(biz, phone, success, reportTime, errCode)));
        status.ShouldBe(200, body);
    }

    [Fact]
    public async Task a_registered_batch_with_one_lost_push_is_filled_and_nothing_is_missing_any_more()
    {
        var sentAt = PullHost.Now().AddHours(-2);
        var reported = PullHost.Beijing(sentAt.AddMinutes(1));
        var messages = Enumerable.Range(0, 3).Select(i => (Biz: Payloads.NewId(), Phone: "1390000" + (1000 + i))).ToList();
        await _pull.Host.RegisterAsync([.. messages.Select(m => Finance.Sent("aliyun", $"{m.Biz}:{m.Phone}", sentAt.ToString("O"), phone: m.Phone))]);
        await PushAliyunAsync("default", messages[0].Biz, messages[0].Phone, true, reported);
        await PushAliyunAsync("default", messages[1].Biz, messages[1].Phone, true, reported);
        var day = PullHost.BeijingDay(sentAt);
        (await _pull.Host.DailyAsync(day, day, "&provider=aliyun")).Day(day, "aliyun").Count("missingReports").ShouldBe(1);

        _pull.Aliyun.Override = request => new FakeReply(200, PullHost.AliyunAnswer(messages[2].Phone, 3, "DELIVERED", reported));
        var id = await _pull.StartPullAsync(new { provider = "aliyun", account = "default", from = sentAt.AddHours(-1), to = PullHost.Now() });
        var job = await PullHost.WaitForPullAsync(_pull.Host, id, PullHost.Finished);

        job.GetProperty("state").GetString().ShouldBe("completed", job.ToString());
        job.GetProperty("asked").GetInt32().ShouldBe(1); // only the message without a final report was asked about
        job.GetProperty("found").GetInt32().ShouldBe(1);
        job.GetProperty("appended").GetInt32().ShouldBe(1);
        job.GetProperty("duplicates").GetInt32().ShouldBe(0);
        job.GetProperty("errors").GetInt32().ShouldBe(0);
        _pull.Aliyun.Exchanges.ShouldHaveSingleItem().Request.QueryParameters().Single(p => p.Key == "BizId").Value.ShouldBe(messages[2].Biz);

        var row = (await _pull.Host.DailyAsync(day, day, "&provider=aliyun")).Day(day, "aliyun");
        row.Count("missingReports").ShouldBe(0);
        row.Count("delivered").ShouldBe(3);
        row.Count("pulled").ShouldBe(1);

        // The answer is evidence like a push: byte for byte, the request we sent without its credentials.
        var (_, history) = await _pull.Host.GetJsonAsync($"/messages/aliyun/{messages[2].Biz}:{messages[2].Phone}/history");
        var pulled = history.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("source").GetString() == "pull");
        await using var session = _pull.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var record = (await session.LoadAsync<RawRequestRecord>(pulled.GetProperty("requestId").GetGuid()))!;
        record.Outcome.ShouldBe(RequestOutcomes.Pulled);
        record.Body.ShouldBe(Encoding.UTF8.GetBytes(_pull.Aliyun.Exchanges.Single().Reply.Body));
        record.Url.ShouldContain("Signature=%5Bredacted%5D");
        record.Url.ShouldNotContain(FakeAliyunApi.AccessKeyId);
        record.Pull!.AnswerStatus.ShouldBe(200);
    }

    [Fact]
    public async Task a_pull_that_repeats_a_push_is_a_duplicate_not_a_second_delivery()
    {
        // Tencent pushes "2026-… 10:32:04" (Beijing) and its query API answers epoch seconds: the same instant.
        var sid = "2019:" + Payloads.NewId();
        var receivedAt = PullHost.Now().AddHours(-1);
        var (status, body, _) = await _pull.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "SUCCESS", PullHost.Beijing(receivedAt))));
        status.ShouldBe(200, body);
        _pull.Tencent.Body = JsonSerializer.Serialize(new
        {
            Response = new
            {
                PullSmsSendStatusSet = new[]
                {
                    new { UserReceiveTime = receivedAt.ToUnixTimeSeconds(), CountryCode = "86", SubscriberNumber = "13800138000", PhoneNumber = "+8613800138000",
                        SerialNo = sid, ReportStatus = "SUCCESS", Description = "DELIVRD", SessionContext = "" },
                },
                RequestId = Guid.NewGuid().ToString(),
            },
        });

        var (pulledStatus, pulledBody, _) = await _pull.Host.PostAsync($"/messages/tencent/{Uri.EscapeDataString(sid)}/pull", "", apiKey: LedgerApi.SupportKey);

        pulledStatus.ShouldBe(200, pulledBody);
        var after = JsonDocument.Parse(pulledBody).RootElement;
        after.GetProperty("status").GetString().ShouldBe("delivered");
        after.GetProperty("duplicateCount").GetInt32().ShouldBe(1);
        after.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        var (_, history) = await _pull.Host.GetJsonAsync($"/messages/tencent/{Uri.EscapeDataString(sid)}/history");
        var last = history.GetProperty("events").EnumerateArray().Last();
        last.GetProperty("source").GetString().ShouldBe("pull");
        last.GetProperty("duplicate").GetBoolean().ShouldBeTrue();
        _pull.Tencent.Exchanges.ShouldHaveSingleItem().Reply.Status.ShouldBe(200); // the fake verified our TC3 signature
    }

    [Fact]
    public async Task wrong_credentials_fail_the_job_after_one_call_with_a_clear_error()
    {
        var sentAt = PullHost.Now().AddHours(-2);
        var keys = Enumerable.Range(0, 3).Select(i => $"{Payloads.NewId()}:1390000{2000 + i}").ToList();
        await _pull.Host.RegisterAsync([.. keys.Select(k => Finance.Sent("aliyun", k, sentAt.ToString("O"), account: "wrong", phone: k.Split(':')[1]))]);

        var id = await _pull.StartPullAsync(new { provider = "aliyun", account = "wrong", from = sentAt.AddHours(-1), to = PullHost.Now() });
        var job = await PullHost.WaitForPullAsync(_pull.Host, id, PullHost.Finished);

        job.GetProperty("state").GetString().ShouldBe("failed");
        job.GetProperty("lastError").GetString()!.ShouldContain("SignatureDoesNotMatch");
        job.GetProperty("lastError").GetString()!.ShouldContain("AccessKeySecret");
        job.GetProperty("asked").GetInt32().ShouldBe(1);
        await Task.Delay(1500); // nothing keeps asking in the background
        _pull.Aliyun.Exchanges.Count.ShouldBe(1);
    }

    [Fact]
    public async Task the_sweep_pulls_registered_messages_without_a_final_report_after_the_wait()
    {
        var now = PullHost.Now();
        var late = (Biz: Payloads.NewId(), Phone: "13900003001");
        var recent = (Biz: Payloads.NewId(), Phone: "13900003002");
        await _pull.Host.RegisterAsync(
            Finance.Sent("aliyun", $"{late.Biz}:{late.Phone}", now.AddMinutes(-40).ToString("O"), phone: late.Phone),
            Finance.Sent("aliyun", $"{recent.Biz}:{recent.Phone}", now.AddMinutes(-10).ToString("O"), phone: recent.Phone));
        _pull.Aliyun.Override = request => new FakeReply(200, PullHost.AliyunAnswer(late.Phone, 3, "DELIVERED", PullHost.Beijing(now.AddMinutes(-39))));

        (await _pull.Host.Services.GetRequiredService<PullSweep>().SweepOnceAsync()).ShouldBe(1);

        await using var session = _pull.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var sweep = (await session.Query<PullJob>().Where(j => j.StartedBy == PullSweep.StartedBy).ToListAsync()).ShouldHaveSingleItem();
        sweep.MessageKeys.ShouldBe([$"{late.Biz}:{late.Phone}"]); // the recent one has not waited 30 minutes yet
        (await PullHost.WaitForPullAsync(_pull.Host, sweep.Id.ToString(), PullHost.Finished)).GetProperty("appended").GetInt32().ShouldBe(1);
        var (_, status) = await _pull.Host.GetJsonAsync($"/messages/aliyun/{late.Biz}:{late.Phone}");
        status.GetProperty("status").GetString().ShouldBe("delivered");
        (await _pull.Host.Services.GetRequiredService<PullSweep>().SweepOnceAsync()).ShouldBe(0); // delivered now: nothing left to ask
    }
}
