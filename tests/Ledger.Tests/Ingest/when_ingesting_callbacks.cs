using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Ingest;

[Collection(LedgerCollection.Name)]
public sealed class when_ingesting_callbacks(LedgerFixture fixture)
{
    [Fact]
    public async Task an_aliyun_batch_is_acknowledged_with_alibabas_reply_and_every_report_reads_back()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(
            Payloads.AliyunItem(biz, "13800000001", success: true),
            Payloads.AliyunItem(biz, "13800000002", success: false, errCode: "MK:0001"),
            Payloads.AliyunItem(biz, "13800000003", success: true, smsSize: "2"));

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/aliyun", body);

        status.ShouldBe(200);
        reply.ShouldBe("""{"code":0,"msg":"接收成功"}""");
        contentType!.ShouldContain("application/json");

        var (s1, first) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000001");
        s1.ShouldBe(200);
        first.GetProperty("status").GetString().ShouldBe("delivered");
        first.GetProperty("final").GetBoolean().ShouldBeTrue();
        first.GetProperty("phone").GetString().ShouldBe("138****0001");
        first.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        first.GetProperty("outId").GetString().ShouldBe("order-1");
        first.GetProperty("version").GetInt64().ShouldBe(1);

        var (_, second) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000002");
        second.GetProperty("status").GetString().ShouldBe("failed");
        second.GetProperty("errorCode").GetString().ShouldBe("MK:0001");

        var (_, third) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000003");
        third.GetProperty("billedParts").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task the_raw_request_is_kept_once_and_every_item_references_it()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(Payloads.AliyunItem(biz, "13800000011", true), Payloads.AliyunItem(biz, "13800000012", true));

        (await fixture.Host.PostAsync("/callbacks/aliyun?token=none", body)).Status.ShouldBe(200);

        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync($"aliyun:{biz}:13800000011");
        // One event per report: the raw item and the parser's reading together.
        events.Select(e => e.Data.GetType()).ShouldBe([typeof(ReportReceived)]);
        var received = (ReportReceived)events[0].Data;
        received.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        received.Source.ShouldBeNull(); // a push: only a pull is marked
        JsonDocument.Parse(received.RawItem).RootElement.GetProperty("phone_number").GetString().ShouldBe("13800000011");

        var record = await session.LoadAsync<RawRequestRecord>(received.RequestId);
        record.ShouldNotBeNull();
        System.Text.Encoding.UTF8.GetString(record.Body).ShouldBe(body);
        record.Method.ShouldBe("POST");
        record.Url.ShouldEndWith("/callbacks/aliyun?token=none");
        record.Headers.ShouldContain(h => h.Name == "Content-Type" && h.Value == "application/json");
        record.ItemCount.ShouldBe(2);
        record.Outcome.ShouldBe(RequestOutcomes.Accepted);

        var other = await session.Events.FetchStreamAsync($"aliyun:{biz}:13800000012");
        ((ReportReceived)other[0].Data).RequestId.ShouldBe(received.RequestId);
    }

    [Fact]
    public async Task a_tencent_batch_is_keyed_by_sid_and_answered_with_tencents_reply()
    {
        var sid = "2019:" + Payloads.NewId();
        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/tencent",
            Payloads.Array(Payloads.TencentItem(sid, "SUCCESS", ext: "session-42")));

        status.ShouldBe(200);
        reply.ShouldBe("""{"result":0,"errmsg":"OK"}""");
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("providerStatus").GetString().ShouldBe("SUCCESS");
        view.GetProperty("errorCode").GetString().ShouldBe("DELIVRD");
        view.GetProperty("outId").GetString().ShouldBe("session-42");
        view.GetProperty("phone").GetString().ShouldBe("+86138****8000");
    }

    [Fact]
    public async Task alibabas_get_connectivity_probe_is_answered()
    {
        var client = fixture.Host.Server.CreateClient();
        var response = await client.GetAsync("/callbacks/aliyun");
        ((int)response.StatusCode).ShouldBe(200);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"code":0,"msg":"成功"}""");
    }

    [Fact]
    public async Task a_duplicate_push_is_recorded_but_changes_no_status()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(Payloads.AliyunItem(biz, "13800000021", success: true));

        (await fixture.Host.PostAsync("/callbacks/aliyun", body)).Status.ShouldBe(200);
        var (_, before) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000021");
        (await fixture.Host.PostAsync("/callbacks/aliyun", body)).Status.ShouldBe(200);
        var (_, after) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000021");

        after.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        after.GetProperty("duplicateCount").GetInt32().ShouldBe(1);
        after.GetProperty("status").GetString().ShouldBe(before.GetProperty("status").GetString());
        after.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(before.GetProperty("reportedAt").GetDateTimeOffset());
        await using var session = fixture.Store.QuerySession();
        (await session.Events.FetchStreamAsync($"aliyun:{biz}:13800000021")).Count.ShouldBe(2);
    }

    [Fact]
    public async Task an_intermediate_report_arriving_after_the_final_one_keeps_the_final()
    {
        var sid = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "SUCCESS", "2026-11-25 10:32:04")))).Status.ShouldBe(200);
        // A late non-final report, even with a later provider time, never overwrites a final one.
        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "SENDING", "2026-11-25 10:40:00", errmsg: "")))).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_failure_followed_by_a_delivery_ends_delivered()
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000031", false, "2026-11-25 10:32:05")))).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000031", true, "2026-11-25 10:35:05")))).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000031");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("errorCode").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task a_failure_after_delivered_is_a_conflict_and_delivered_stays()
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000041", true, "2026-11-25 10:32:05")))).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000041", false, "2026-11-25 10:50:05")))).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000041");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("conflictCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task thirty_two_parallel_first_pushes_of_one_report_all_succeed_and_are_all_recorded()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(Payloads.AliyunItem(biz, "13800000051", true));

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => fixture.Host.PostAsync("/callbacks/aliyun", body)));

        results.Select(r => r.Status).ShouldAllBe(s => s == 200);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000051");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(32);
        view.GetProperty("duplicateCount").GetInt32().ShouldBe(31);
        view.GetProperty("version").GetInt64().ShouldBe(32);
        await using var session = fixture.Store.QuerySession();
        (await session.Events.FetchStreamAsync($"aliyun:{biz}:13800000051")).Count.ShouldBe(32);
    }

    [Fact]
    public async Task parallel_batches_touching_the_same_messages_all_succeed()
    {
        var biz = Payloads.NewId();
        var phones = Enumerable.Range(0, 20).Select(i => $"139{i:D8}").ToArray();
        var body = Payloads.Array(phones.Select(p => Payloads.AliyunItem(biz, p, true)).ToArray());

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => fixture.Host.PostAsync("/callbacks/aliyun", body)));

        results.Select(r => r.Status).ShouldAllBe(s => s == 200);
        await using var session = fixture.Store.QuerySession();
        foreach (var phone in phones)
        {
            var status = await session.LoadAsync<Message>($"aliyun:{biz}:{phone}");
            status!.CallbackCount.ShouldBe(16);
        }
    }

    [Fact]
    public async Task a_batch_whose_only_item_is_bad_is_refused_whole()
    {
        var body = Payloads.Array("""{"success":true,"err_code":"DELIVERED"}""");

        var (status, problem, contentType) = await fixture.Host.PostAsync("/callbacks/aliyun", body);

        status.ShouldBe(400);
        contentType!.ShouldContain("application/problem+json");
        problem.ShouldContain("Item 0");
    }
}
