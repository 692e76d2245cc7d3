using System.Text.Json;
using JasperFx.Events;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Reconciliation;

/// <summary>
/// A generated month (June 2030) of aliyun and tencent traffic through the real ingest path, with
/// duplicates, reordered reports, registrations before and after reports and messages never reported:
/// the daily totals equal a brute-force recount from the raw events, now and as of an earlier instant.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_totalling_a_month(LedgerFixture fixture)
{
    private static readonly TimeZoneInfo Beijing = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private sealed record Planned(string Provider, string Key, DateTimeOffset SentAt, int Scenario, int Parts, string[] Round1, string[] Round2);

    [Fact]
    public async Task daily_totals_equal_a_brute_force_recount_of_the_raw_events()
    {
        var random = new Random(20300601);
        var run = Payloads.NewId()[..8];
        var plans = new List<Planned>();
        for (var i = 0; i < 160; i++)
        {
            var aliyun = i % 2 == 0;
            // Spread over June, with a share of sends in the minutes around Beijing midnight.
            var day = new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddDays(random.Next(0, 30));
            var sentAt = (i % 5 == 0 ? day.AddMinutes(-random.Next(1, 4)) : day.AddMinutes(random.Next(0, 24 * 60))).ToUniversalTime();
            var parts = random.Next(1, 4);
            var scenario = i % 4; // 0 registered first, 1 registered after the reports, 2 never registered, 3 registered and never reported
            var reportAt = sentAt.AddMinutes(random.Next(1, 30));
            var key = aliyun ? $"{run}{i:D4}:1390000{i:D4}" : $"{run}-{i:D4}";
            string Item(bool final, bool success, DateTimeOffset at) => aliyun
                ? Payloads.AliyunItem(key.Split(':')[0], key.Split(':')[1], success, Beijing8(at), smsSize: parts.ToString())
                : Payloads.TencentItem(key, final ? (success ? "SUCCESS" : "FAIL") : "SENDING", Beijing8(at), errmsg: success ? "DELIVRD" : "UNDELIV");

            var variant = random.Next(0, 4);
            string[] round1 = [], round2 = [];
            if (scenario != 3)
            {
                (round1, round2) = variant switch
                {
                    0 => R([Item(true, true, reportAt)], [Item(true, true, reportAt)]),                         // duplicate push
                    1 => R([Item(true, true, reportAt.AddMinutes(5))], [Item(true, false, reportAt)]),           // delivered, then an older failure
                    2 => R([Item(true, false, reportAt)], []),                                                    // failed
                    _ => aliyun ? R([Item(true, false, reportAt)], [Item(true, true, reportAt.AddMinutes(3))])  // failed, retry delivered
                                     : R([Item(true, true, reportAt)], [Item(false, false, reportAt.AddMinutes(-1))]), // final, then a late SENDING
                };
            }

            if (!aliyun && variant == 3 && scenario == 2)
            {
                round1 = [Item(false, false, reportAt)]; // only an intermediate: unknown
                round2 = [];
            }

            plans.Add(new Planned(aliyun ? "aliyun" : "tencent", key, sentAt, scenario, parts, round1, round2));
        }

        string Registration(Planned p) => Finance.Sent(p.Provider, p.Key, p.SentAt.ToString("O"), account: p.Scenario == 0 ? "shop" : "default", parts: p.Parts);

        await fixture.Host.RegisterAsync(plans.Where(p => p.Scenario is 0 or 3).Select(Registration).ToArray());
        await PostShuffledAsync(plans.SelectMany(p => p.Round1.Select(item => (p.Provider, item))), random);
        var asOf = DateTimeOffset.UtcNow;
        await PostShuffledAsync(plans.SelectMany(p => p.Round2.Select(item => (p.Provider, item))), random);
        await fixture.Host.RegisterAsync(plans.Where(p => p.Scenario == 1).Select(Registration).ToArray());

        var keys = plans.Select(p => StreamKeys.Message(p.Provider, p.Key)).ToArray();
        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamKey!.IsOneOf(keys)).OrderBy(e => e.Sequence).ToListAsync();

        var now = DateTimeOffset.UtcNow;
        var expectedNow = BruteForce(events, now);
        var actualNow = await ActualAsync("");
        actualNow.ShouldBe(expectedNow);
        actualNow.Sum(r => r.Delivered + r.Failed + r.Pending + r.Unknown).ShouldBe(160);
        actualNow.Select(r => r.Account).Distinct().Order().ShouldBe(["default", "shop"]);

        var expectedThen = BruteForce(events.Where(e => e.Timestamp <= asOf).ToList(), asOf);
        var actualThen = await ActualAsync($"&asOf={Uri.EscapeDataString(asOf.ToString("O"))}");
        actualThen.ShouldBe(expectedThen);
        actualThen.ShouldNotBe(actualNow); // the late registrations and second reports changed the figures since
    }

    private async Task PostShuffledAsync(IEnumerable<(string Provider, string Item)> items, Random random)
    {
        foreach (var group in items.OrderBy(_ => random.Next()).GroupBy(x => x.Provider))
        {
            foreach (var batch in group.Chunk(25))
            {
                var (status, body, _) = await fixture.Host.PostAsync($"/callbacks/{group.Key}", Payloads.Array(batch.Select(b => b.Item).ToArray()));
                status.ShouldBe(200, body);
            }
        }
    }

    private static (string[], string[]) R(string[] first, string[] second) => (first, second);

    private static string Beijing8(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss");

    private sealed record Totals(string Day, string Provider, string Account, int Delivered, int Failed, int Pending, int Unknown,
        int BilledParts, int Callbacks, int Duplicates, int MissingReports);

    private async Task<List<Totals>> ActualAsync(string query)
    {
        var rows = await fixture.Host.DailyAsync("2030-05-31", "2030-07-02", query);
        return rows.Where(r => r.GetProperty("provider").GetString() is "aliyun" or "tencent")
            .Select(r => new Totals(r.GetProperty("day").GetString()!, r.GetProperty("provider").GetString()!, r.GetProperty("account").GetString()!,
                r.GetProperty("delivered").GetInt32(), r.GetProperty("failed").GetInt32(), r.GetProperty("pending").GetInt32(), r.GetProperty("unknown").GetInt32(),
                r.GetProperty("billedParts").GetInt32(), r.GetProperty("callbacks").GetInt32(), r.GetProperty("duplicates").GetInt32(),
                r.GetProperty("missingReports").GetInt32()))
            .ToList();
    }

    /// <summary>The rules written out plainly over the raw events, independent of the projections.</summary>
    private static List<Totals> BruteForce(IReadOnlyList<IEvent> events, DateTimeOffset now)
    {
        var messages = new List<(string Day, string Provider, string Account, DeliveryStatus Status, bool Missing, int Parts, int Callbacks, int Duplicates)>();
        foreach (var stream in events.GroupBy(e => e.StreamKey))
        {
            var data = stream.Select(e => e.Data).ToList();
            var submitted = data.OfType<MessageSubmitted>().FirstOrDefault();
            var received = data.OfType<ReportReceived>().ToList();
            var reports = received;
            StatusPosition? position = null;
            var seen = new HashSet<string>();
            var duplicates = 0;
            foreach (var r in reports)
            {
                if (!seen.Add(r.Report.Fingerprint))
                {
                    duplicates++;
                    continue;
                }

                if (StatusMachine.Decide(position, r.Report, r.ReceivedAt) == ReportEffect.Applied)
                {
                    position = new StatusPosition(r.Report.Status, r.Report.Final, StatusMachine.EffectiveTime(r.Report, r.ReceivedAt));
                }
            }

            var counted = submitted?.SentAt ?? reports.Select(r => r.Report.ProviderTime?.Utc).Where(t => t is not null).Min() ?? received.Min(c => c.ReceivedAt);
            var provider = submitted?.Provider ?? StreamKeys.OfMessage(stream.Key!).Provider;
            var account = submitted?.Account ?? received[0].Account;
            var parts = reports.Select(r => r.Report.BilledParts).FirstOrDefault(p => p is not null) ?? submitted?.BilledParts ?? 0;
            var final = position?.Final ?? false;
            var missing = submitted is not null && !final && submitted.SentAt.AddHours(72) <= now;
            messages.Add((BusinessDay.Of(counted, Beijing), provider, account, position?.Status ?? DeliveryStatus.Pending, missing, parts, received.Count, duplicates));
        }

        return messages.GroupBy(m => (m.Day, m.Provider, m.Account))
            .OrderBy(g => g.Key.Day, StringComparer.Ordinal).ThenBy(g => g.Key.Provider, StringComparer.Ordinal).ThenBy(g => g.Key.Account, StringComparer.Ordinal)
            .Select(g => new Totals(g.Key.Day, g.Key.Provider, g.Key.Account,
                g.Count(m => m.Status == DeliveryStatus.Delivered), g.Count(m => m.Status == DeliveryStatus.Failed),
                g.Count(m => m.Status == DeliveryStatus.Pending), g.Count(m => m.Status == DeliveryStatus.Unknown),
                g.Sum(m => m.Parts), g.Sum(m => m.Callbacks), g.Sum(m => m.Duplicates), g.Count(m => m.Missing)))
            .ToList();
    }
}
