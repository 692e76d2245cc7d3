using System.Text;
using CsvHelper;
using Ledger.Projections;
using Ledger.Tests.Support;
using Ledger.Web.Reconciliation;

namespace Ledger.Tests.Reconciliation;

[Collection(LedgerCollection.Name)]
public sealed class when_reading_daily_totals(LedgerFixture fixture)
{
    [Fact]
    public async Task a_message_sent_at_23_59_beijing_counts_on_that_day_and_one_at_00_01_on_the_next()
    {
        var account = "edge-" + Payloads.NewId();
        await fixture.Host.RegisterAsync(
            Finance.Sent("tencent", Payloads.NewId(), "2032-04-10T15:59:00Z", account: account),
            Finance.Sent("tencent", Payloads.NewId(), "2032-04-10T16:01:00Z", account: account));

        var rows = await fixture.Host.DailyAsync("2032-04-09", "2032-04-12", $"&account={account}");

        rows.Select(r => r.GetProperty("day").GetString()).ShouldBe(["2032-04-10", "2032-04-11"]);
        rows.ShouldAllBe(r => r.GetProperty("pending").GetInt32() == 1);
    }

    [Fact]
    public async Task a_sent_message_without_a_final_report_is_missing_after_the_wait_and_not_once_reported()
    {
        var sid = Payloads.NewId();
        var account = "finance-wait"; // a configured account: its reports come on its own route (accounts own their messages)
        var sentAt = DateTimeOffset.UtcNow.AddDays(-4);
        var day = BusinessDay.Of(sentAt, BusinessDay.Zone(null));
        await fixture.Host.RegisterAsync(Finance.Sent("tencent", sid, sentAt.ToString("O"), account: account));
        (await fixture.Host.PostAsync("/callbacks/tencent/finance-wait", Payloads.Array(Payloads.TencentItem(sid, "SENDING", sentAt.AddHours(8).AddMinutes(1).ToString("yyyy-MM-dd HH:mm:ss"), errmsg: "")))).Status.ShouldBe(200);

        (await fixture.Host.DailyAsync(day, day, $"&account={account}")).Single().GetProperty("missingReports").GetInt32().ShouldBe(1);
        (await fixture.Host.MessagesAsync(day, day, $"&account={account}&status=missing")).Single().GetProperty("missingReport").GetBoolean().ShouldBeTrue();

        (await fixture.Host.PostAsync("/callbacks/tencent/finance-wait", Payloads.Array(Payloads.TencentItem(sid, "SUCCESS", sentAt.AddHours(8).AddMinutes(2).ToString("yyyy-MM-dd HH:mm:ss"))))).Status.ShouldBe(200);

        var after = (await fixture.Host.DailyAsync(day, day, $"&account={account}")).Single();
        after.GetProperty("missingReports").GetInt32().ShouldBe(0);
        after.GetProperty("delivered").GetInt32().ShouldBe(1);
        (await fixture.Host.MessagesAsync(day, day, $"&account={account}&status=missing")).ShouldBeEmpty();
    }

    [Fact]
    public async Task missing_reports_appear_only_once_the_wait_is_over()
    {
        var account = "clock-" + Payloads.NewId();
        var sentAt = DateTimeOffset.Parse("2033-05-10T02:00:00Z");
        await fixture.Host.RegisterAsync(Finance.Sent("tencent", Payloads.NewId(), sentAt.ToString("O"), account: account));
        var filter = new ReconciliationFilter(new DateOnly(2033, 5, 10), new DateOnly(2033, 5, 10), "tencent", account);
        var wait = TimeSpan.FromHours(72);

        await using var session = fixture.Store.QuerySession();
        (await ReconciliationQueries.DailyAsync(session, filter, sentAt.AddHours(71), wait, giveUpAfter: 3, default)).Single().MissingReports.ShouldBe(0);
        (await ReconciliationQueries.DailyAsync(session, filter, sentAt.AddHours(72), wait, giveUpAfter: 3, default)).Single().MissingReports.ShouldBe(1);
        new Message { SentAt = sentAt, Final = true }.IsMissingReport(sentAt.AddDays(30), wait).ShouldBeFalse();
        new Message { SentAt = null }.IsMissingReport(sentAt.AddDays(30), wait).ShouldBeFalse();
    }

    [Fact]
    public async Task the_daily_csv_starts_with_a_bom_and_parses_back_to_the_same_numbers()
    {
        var account = "finance-csv";
        var a = Payloads.NewId();
        await fixture.Host.RegisterAsync(
            Finance.Sent("tencent", a, "2034-01-02T03:00:00Z", account: account, parts: 2, outId: "订单-甲"),
            Finance.Sent("tencent", Payloads.NewId(), "2034-01-03T03:00:00Z", account: account, parts: 3));
        (await fixture.Host.PostAsync("/callbacks/tencent/finance-csv", Payloads.Array(Payloads.TencentItem(a, "SUCCESS", "2034-01-02 11:05:00")))).Status.ShouldBe(200);
        var json = await fixture.Host.DailyAsync("2034-01-01", "2034-01-05", $"&account={account}");

        var bytes = await GetBytesAsync($"/reconciliation/daily?from=2034-01-01&to=2034-01-05&account={account}&format=csv");

        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        await using var csv = CsvReader.Create(new MemoryStream(bytes), CsvReaderOptions.Default, leaveOpen: false);
        var parsed = new List<Dictionary<string, string>>();
        while (await csv.ReadAsync())
        {
            parsed.Add(csv.Headers.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => csv.GetString(x.i)));
        }

        parsed.Count.ShouldBe(json.Length);
        for (var i = 0; i < json.Length; i++)
        {
            foreach (var column in new[] { "day", "provider", "account" })
            {
                parsed[i][column].ShouldBe(json[i].GetProperty(column).GetString());
            }

            foreach (var column in new[] { "delivered", "failed", "pending", "unknown", "billedParts", "callbacks", "duplicates", "rejected", "corrected", "missingReports" })
            {
                int.Parse(parsed[i][column]).ShouldBe(json[i].GetProperty(column).GetInt32(), column);
            }
        }

        parsed[0]["delivered"].ShouldBe("1");
        parsed[1]["billedParts"].ShouldBe("3");

        var messages = await GetBytesAsync($"/reconciliation/messages?from=2034-01-01&to=2034-01-05&account={account}&format=csv");
        messages.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        await using var rows = CsvReader.Create(new MemoryStream(messages), CsvReaderOptions.Default, leaveOpen: false);
        (await rows.ReadAsync()).ShouldBeTrue();
        rows.GetString("messageKey").ShouldBe(a);
        rows.GetString("outId").ShouldBe("订单-甲");
        rows.GetString("status").ShouldBe("delivered");
        (await rows.ReadAsync()).ShouldBeTrue();
        rows.GetString("status").ShouldBe("pending");
        (await rows.ReadAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task a_quarantined_request_counts_as_rejected_on_its_receipt_day()
    {
        var today = BusinessDay.Of(DateTimeOffset.UtcNow, BusinessDay.Zone(null));
        async Task<int> RejectedAsync() => (await fixture.Host.DailyAsync(today, today, "&provider=aliyun&account=default")).Day(today, "aliyun").Count("rejected");
        var before = await RejectedAsync();

        (await fixture.Host.PostAsync("/callbacks/aliyun", """[{"success":true}]""")).Status.ShouldBe(400);

        (await RejectedAsync()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task a_bad_query_is_a_problem_a_person_can_act_on()
    {
        var (status, json) = await fixture.Host.GetJsonAsync("/reconciliation/daily?from=2034-01-05&to=2034-01-01", LedgerApi.FinanceKey);
        status.ShouldBe(400);
        json.GetProperty("detail").GetString()!.ShouldContain("before");
        (await fixture.Host.GetJsonAsync("/reconciliation/messages?from=2034-01-01&to=2034-01-02&status=lost", LedgerApi.FinanceKey)).Status.ShouldBe(400);
    }

    [Fact]
    public async Task the_rows_are_indexed_by_day_provider_and_account()
    {
        await fixture.Host.DailyAsync("2034-02-01", "2034-02-01");
        await using var session = fixture.Store.QuerySession();
        var indexes = await session.AdvancedSql.QueryAsync<string>(
            "select indexdef from pg_indexes where tablename = 'mt_doc_message' and schemaname = ?", default,
            fixture.Store.Options.DatabaseSchemaName);

        indexes.ShouldContain(i => i.Contains("(day, provider, account)"), string.Join("\n", indexes));
    }

    private async Task<byte[]> GetBytesAsync(string url)
    {
        var client = fixture.Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerApi.FinanceKey);
        var response = await client.GetAsync(url);
        ((int)response.StatusCode).ShouldBe(200, Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        return await response.Content.ReadAsByteArrayAsync();
    }
}
