using System.Text;
using System.Text.Json;
using CsvHelper;
using Ledger.Projections;
using Ledger.Tests.Support;
using Ledger.Web.Reconciliation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Reconciliation;

/// <summary>
/// Finance opens the exports in a spreadsheet, which runs a cell starting with `=`, `+`, `-`, `@`, tab or
/// CR. Text from providers and callers (`out_id`, account names) is escaped with a leading `'` by
/// CsvHelper's injection protection; numbers stay numbers. Refusals of unknown routes count under `unknown`.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_finance_opens_a_csv_in_a_spreadsheet(LedgerFixture fixture)
{
    /// <summary>The issue's examples, and each of the other leading characters a spreadsheet runs.</summary>
    public static readonly string[] Formulas =
    [
        "=HYPERLINK(\"http://evil.example/\",\"Refund\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1",
    ];

    private async Task<byte[]> GetBytesAsync(string url)
    {
        var client = fixture.Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerApi.FinanceKey);
        using var response = await client.GetAsync(url);
        ((int)response.StatusCode).ShouldBe(200, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<List<Dictionary<string, string>>> ParseAsync(byte[] bytes)
    {
        await using var csv = CsvReader.Create(new MemoryStream(bytes), CsvReaderOptions.Default, leaveOpen: false);
        var rows = new List<Dictionary<string, string>>();
        while (await csv.ReadAsync())
        {
            rows.Add(csv.Headers.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => csv.GetString(x.i)));
        }

        return rows;
    }

    [Fact]
    public async Task an_out_id_that_is_a_formula_reaches_the_messages_csv_as_text_and_the_counts_as_numbers()
    {
        var day = BusinessDay.Format(new DateOnly(2047, 1, 1).AddDays(Random.Shared.Next(0, 3000)));
        var keys = new List<string>();
        var items = new List<string>();
        for (var i = 0; i < Formulas.Length; i++)
        {
            var biz = Payloads.NewId();
            var phone = $"1380013{i:0000}";
            keys.Add($"{biz}:{phone[..3]}****{phone[^4..]}"); // finance sees the phone inside an Alibaba key masked, as in the phone column
            items.Add(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["phone_number"] = phone,
                ["send_time"] = $"{day} 10:32:00",
                ["report_time"] = $"{day} 10:32:05",
                ["success"] = true,
                ["err_code"] = "DELIVERED",
                ["err_msg"] = "用户接收成功",
                ["sms_size"] = "2",
                ["biz_id"] = biz,
                ["out_id"] = Formulas[i],
            }));
        }

        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array([.. items]))).Status.ShouldBe(200);

        var rows = await ParseAsync(await GetBytesAsync($"/reconciliation/messages?from={day}&to={day}&provider=aliyun&account=default&format=csv"));

        rows.Count.ShouldBe(Formulas.Length);
        for (var i = 0; i < Formulas.Length; i++)
        {
            var row = rows.Single(r => r["messageKey"] == keys[i]);
            row["outId"].ShouldBe("'" + Formulas[i], "a formula is written as text");
            row["billedParts"].ShouldBe("2", "a number is written as a number");
            row["callbacks"].ShouldBe("1");
        }

        // The JSON is data, not a spreadsheet: it keeps the value as it came.
        (await fixture.Host.MessagesAsync(day, day, "&provider=aliyun")).Select(r => r.GetProperty("outId").GetString()).Order()
            .ShouldBe(Formulas.Order());
    }

    [Fact]
    public async Task an_account_name_that_is_a_formula_reaches_the_daily_csv_as_text()
    {
        var account = "=1+2-" + Payloads.NewId();
        await fixture.Host.RegisterAsync(Finance.Sent("tencent", Payloads.NewId(), "2047-01-02T03:00:00Z", account: account, parts: 3));

        var rows = await ParseAsync(await GetBytesAsync($"/reconciliation/daily?from=2047-01-02&to=2047-01-02&account={Uri.EscapeDataString(account)}&format=csv"));

        var row = rows.Single();
        row["account"].ShouldBe("'" + account);
        row["billedParts"].ShouldBe("3");
        row["pending"].ShouldBe("1");
    }

    [Fact]
    public async Task a_negative_number_stays_a_number_and_text_that_looks_negative_is_escaped()
    {
        var context = new DefaultHttpContext { RequestServices = fixture.Host.Services };
        context.Response.Body = new MemoryStream();
        static async IAsyncEnumerable<object?[]> Rows([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            yield return ["-5", -5L, -7, null, "plain"];
            await Task.CompletedTask;
        }

        await ReconciliationCsv.Stream("t.csv", ["text", "long", "int", "none", "plain"], Rows, default).ExecuteAsync(context);

        var text = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()).TrimStart('\uFEFF');
        text.ShouldBe("text,long,int,none,plain\r\n\"'-5\",-5,-7,,plain\r\n");
    }

    [Fact]
    public async Task refusals_of_routes_nobody_configured_count_under_unknown_not_under_their_route_text()
    {
        var today = BusinessDay.Of(DateTimeOffset.UtcNow, BusinessDay.Zone(null));
        async Task<long> RejectedAsync(string provider, string account)
        {
            var (status, json) = await fixture.Host.GetJsonAsync($"/reconciliation/daily?from={today}&to={today}&provider={provider}&account={account}", LedgerApi.FinanceKey);
            status.ShouldBe(200);
            return json.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("rejected").GetInt64());
        }

        var unknownBefore = await RejectedAsync("unknown", "unknown");
        var aliyunUnknownBefore = await RejectedAsync("aliyun", "unknown");
        var route = "=hyperlink-" + Payloads.NewId();

        (await fixture.Host.PostAsync($"/callbacks/{Uri.EscapeDataString(route)}", "[]")).Status.ShouldBe(404);
        (await fixture.Host.PostAsync($"/callbacks/{Uri.EscapeDataString(route)}/{Uri.EscapeDataString("@evil")}", "[]")).Status.ShouldBe(404);
        (await fixture.Host.PostAsync($"/callbacks/aliyun/{Uri.EscapeDataString(route)}", "[]")).Status.ShouldBe(404);

        (await RejectedAsync("unknown", "unknown")).ShouldBe(unknownBefore + 2);
        (await RejectedAsync("aliyun", "unknown")).ShouldBe(aliyunUnknownBefore + 1);
        var all = await fixture.Host.DailyAsync(today, today);
        all.ShouldNotContain(r => r.GetProperty("provider").GetString()!.Contains(route) || r.GetProperty("account").GetString()!.Contains(route)
            || r.GetProperty("account").GetString() == "@evil");
    }
}
