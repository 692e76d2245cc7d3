using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Tests.Support;

namespace Ledger.Tests.Reconciliation;

/// <summary>
/// Billed parts are summed as 64-bit numbers from SQL to JSON, live and "as of"; and a count no SMS can have
/// (over 255 parts) is read as unknown at ingest, so one absurd report cannot move a day's sum at all.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_billed_parts_are_out_of_range(LedgerFixture fixture)
{
    /// <summary>A business day no other test reports on, so its row is this test's alone.</summary>
    private static (string Text, DateOnly Date) UniqueDay()
    {
        var day = new DateOnly(2046, 1, 1).AddDays(Random.Shared.Next(0, 3000));
        return (BusinessDay.Format(day), day);
    }

    [Fact]
    public async Task a_report_of_2147483647_parts_beside_another_on_the_same_day_leaves_the_daily_totals_readable()
    {
        var (day, _) = UniqueDay();
        var reportTime = $"{day} 10:32:05";
        var huge = Payloads.NewId();
        var normal = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(
            Payloads.AliyunItem(huge, "13800138001", true, reportTime, smsSize: "2147483647"),
            Payloads.AliyunItem(normal, "13800138002", true, reportTime, smsSize: "2")))).Status.ShouldBe(200, "the report is kept: only its part count is unreadable");

        var (status, json) = await fixture.Host.GetJsonAsync($"/reconciliation/daily?from={day}&to={day}&provider=aliyun&account=default", LedgerApi.FinanceKey);
        status.ShouldBe(200);
        var row = json.GetProperty("rows").EnumerateArray().Single();
        row.GetProperty("delivered").GetInt64().ShouldBe(2);
        row.GetProperty("billedParts").GetInt64().ShouldBe(2, "2147483647 parts is no SMS: it counts as unknown (0)");

        var (asOfStatus, asOf) = await fixture.Host.GetJsonAsync(
            $"/reconciliation/daily?from={day}&to={day}&provider=aliyun&account=default&asOf={DateTimeOffset.UtcNow.AddMinutes(1):yyyy-MM-ddTHH:mm:ssZ}", LedgerApi.FinanceKey);
        asOfStatus.ShouldBe(200);
        asOf.GetProperty("rows").EnumerateArray().Single().GetProperty("billedParts").GetInt64().ShouldBe(2);

        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{huge}:13800138001");
        message.GetProperty("billedParts").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task parts_stored_by_an_earlier_build_sum_past_2_to_the_31_now_and_as_of()
    {
        // An earlier build read any sms_size: two messages of int.MaxValue parts each, as it would have stored them.
        var (day, date) = UniqueDay();
        var account = "wide-" + Payloads.NewId();
        var sentAt = new DateTimeOffset(date.ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero);
        await using (var session = fixture.Store.LightweightSession())
        {
            foreach (var key in new[] { Payloads.NewId(), Payloads.NewId() })
            {
                session.Events.StartStream(StreamKeys.Message("tencent", key),
                    new MessageSubmitted("tencent", account, key, null, sentAt, int.MaxValue, null, Guid.CreateVersion7(), sentAt));
            }

            await session.SaveChangesAsync();
        }

        var live = await fixture.Host.DailyAsync(day, day, $"&account={account}");
        live.Single().GetProperty("billedParts").GetInt64().ShouldBe(2L * int.MaxValue);

        var (status, asOf) = await fixture.Host.GetJsonAsync(
            $"/reconciliation/daily?from={day}&to={day}&account={account}&asOf={DateTimeOffset.UtcNow.AddMinutes(1):yyyy-MM-ddTHH:mm:ssZ}", LedgerApi.FinanceKey);
        status.ShouldBe(200);
        asOf.GetProperty("rows").EnumerateArray().Single().GetProperty("billedParts").GetInt64().ShouldBe(2L * int.MaxValue);
    }

    [Fact]
    public async Task a_registration_of_more_parts_than_an_sms_can_have_is_refused_with_the_bound()
    {
        var (status, body, _) = await fixture.Host.PostAsync("/messages/sent",
            Payloads.Array(Finance.Sent("tencent", Payloads.NewId(), "2046-01-01T10:00:00+08:00", parts: 256)), apiKey: LedgerApi.AdminKey);
        status.ShouldBe(400);
        body.ShouldContain("from 1 to 255");
    }
}
