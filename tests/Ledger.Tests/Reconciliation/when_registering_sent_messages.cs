using System.Text.Json;
using Ledger.Events;
using Ledger.Tests.Support;

namespace Ledger.Tests.Reconciliation;

// Every test uses days of its own (far from the dates other suites use), so totals isolate by data.
[Collection(LedgerCollection.Name)]
public sealed class when_registering_sent_messages(LedgerFixture fixture)
{
    [Fact]
    public async Task a_registered_message_with_no_report_yet_is_pending_on_its_sent_day()
    {
        var sid = Payloads.NewId();
        var result = await fixture.Host.RegisterAsync(Finance.Sent("tencent", sid, "2031-01-05T10:00:00+08:00", parts: 2));

        result.GetProperty("registered").GetInt32().ShouldBe(1);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");
        view.GetProperty("status").GetString().ShouldBe("pending");
        view.GetProperty("billedParts").GetInt32().ShouldBe(2);
        var day = (await fixture.Host.DailyAsync("2031-01-05", "2031-01-05")).Day("2031-01-05", "tencent");
        day.Count("pending").ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task registering_the_same_message_twice_changes_nothing()
    {
        var sid = Payloads.NewId();
        var row = Finance.Sent("tencent", sid, "2031-01-07T09:00:00+08:00", account: "acct-" + sid, parts: 3);
        await fixture.Host.RegisterAsync(row);
        var before = (await fixture.Host.DailyAsync("2031-01-07", "2031-01-07", $"&account=acct-{sid}")).Single().GetRawText();
        var (_, statusBefore) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");

        var again = await fixture.Host.RegisterAsync(row, Finance.Sent("tencent", sid, "2031-01-08T09:00:00+08:00", account: "acct-" + sid, parts: 9));

        again.GetProperty("registered").GetInt32().ShouldBe(0);
        again.GetProperty("alreadyKnown").GetInt32().ShouldBe(2);
        (await fixture.Host.DailyAsync("2031-01-07", "2031-01-08", $"&account=acct-{sid}")).Single().GetRawText().ShouldBe(before);
        var (_, statusAfter) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");
        statusAfter.GetRawText().ShouldBe(statusBefore.GetRawText());
        await using var session = fixture.Store.QuerySession();
        (await session.Events.FetchStreamAsync($"tencent:{sid}")).Count(e => e.Data is MessageSubmitted).ShouldBe(1);
    }

    [Fact]
    public async Task a_registration_after_its_report_keeps_the_reports_status_and_moves_it_to_the_sent_day()
    {
        var biz = Payloads.NewId();
        var key = $"{biz}:13900000001";
        (await fixture.Host.PostAsync("/callbacks/aliyun",
            Payloads.Array(Payloads.AliyunItem(biz, "13900000001", success: true, reportTime: "2031-02-02 00:10:00", smsSize: "2")))).Status.ShouldBe(200);
        var shown = $"{biz}:139****0001"; // finance's rows mask the phone inside an Alibaba key
        var reportDay = (await fixture.Host.MessagesAsync("2031-02-01", "2031-02-02", "&provider=aliyun")).Single(m => m.GetProperty("messageKey").GetString() == shown);
        reportDay.GetProperty("day").GetString().ShouldBe("2031-02-02");

        // Sent 23:58 Beijing the day before; the registration says 1 part, the report said 2.
        await fixture.Host.RegisterAsync(Finance.Sent("aliyun", key, "2031-02-01T23:58:00+08:00", parts: 1));

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{key}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("billedParts").GetInt32().ShouldBe(2);
        var moved = (await fixture.Host.MessagesAsync("2031-02-01", "2031-02-02", "&provider=aliyun")).Single(m => m.GetProperty("messageKey").GetString() == shown);
        moved.GetProperty("day").GetString().ShouldBe("2031-02-01");
        moved.GetProperty("status").GetString().ShouldBe("delivered");
        moved.GetProperty("sentAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2031-02-01T15:58:00Z"));
        moved.GetProperty("callbacks").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task a_report_after_its_registration_sets_the_status_and_stays_on_the_sent_day()
    {
        var sid = Payloads.NewId();
        await fixture.Host.RegisterAsync(Finance.Sent("tencent", sid, "2031-02-10T23:00:00+08:00"));
        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "FAIL", "2031-02-11 08:00:00", errmsg: "UNDELIV")))).Status.ShouldBe(200);

        var row = (await fixture.Host.MessagesAsync("2031-02-10", "2031-02-11", "&provider=tencent")).Single(m => m.GetProperty("messageKey").GetString() == sid);
        row.GetProperty("day").GetString().ShouldBe("2031-02-10");
        row.GetProperty("status").GetString().ShouldBe("failed");
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}");
        view.GetProperty("firstReceivedAt").GetDateTimeOffset().Year.ShouldBeGreaterThan(2000);
    }

    [Fact]
    public async Task bad_rows_are_refused_whole_with_every_bad_row_listed()
    {
        var sid = Payloads.NewId();
        var body = Payloads.Array(
            Finance.Sent("tencent", sid, "2031-03-01T10:00:00Z"),
            Finance.Sent("nosuch", "x", "2031-03-01T10:00:00Z"),
            """{"provider":"tencent","messageKey":"","sentAt":"yesterday","billedParts":0}""");

        var (status, problem, contentType) = await fixture.Host.PostAsync("/messages/sent", body, apiKey: LedgerApi.AdminKey);

        status.ShouldBe(400);
        contentType!.ShouldContain("application/problem+json");
        var json = JsonDocument.Parse(problem).RootElement;
        var errors = json.GetProperty("errors").EnumerateArray().ToArray();
        errors.Select(e => e.GetProperty("row").GetInt32()).ShouldBe([2, 3]);
        errors[1].GetProperty("error").GetString()!.ShouldContain("messageKey is required");
        errors[1].GetProperty("error").GetString()!.ShouldContain("sentAt");
        errors[1].GetProperty("error").GetString()!.ShouldContain("billedParts");
        json.GetProperty("detail").GetString()!.ShouldContain("Row 2: provider 'nosuch'");
        (await fixture.Host.GetJsonAsync($"/messages/tencent/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_csv_registration_with_a_header_row_is_read_like_json()
    {
        var a = Payloads.NewId();
        var b = Payloads.NewId();
        var csv = $"provider,account,messageKey,phone,sentAt,parts,outId\r\ntencent,default,{a},13800000000,2031-03-05 10:00:00,2,订单-1\r\ntencent,,{b},,2031-03-05T02:00:00Z,,\r\n";

        var (status, body, _) = await fixture.Host.PostAsync("/messages/sent", csv, "text/csv", LedgerApi.AdminKey);

        status.ShouldBe(200, body);
        JsonDocument.Parse(body).RootElement.GetProperty("registered").GetInt32().ShouldBe(2);
        var rows = await fixture.Host.MessagesAsync("2031-03-05", "2031-03-05", "&provider=tencent");
        var first = rows.Single(r => r.GetProperty("messageKey").GetString() == a);
        first.GetProperty("sentAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2031-03-05T02:00:00Z")); // no offset: Beijing time
        first.GetProperty("billedParts").GetInt32().ShouldBe(2);
        first.GetProperty("outId").GetString().ShouldBe("订单-1");
        rows.Single(r => r.GetProperty("messageKey").GetString() == b).GetProperty("account").GetString().ShouldBe("default");
    }
}
