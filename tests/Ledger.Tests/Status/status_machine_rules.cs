using Ledger.Events;
using Ledger.Status;

namespace Ledger.Tests.Status;

public sealed class status_machine_rules
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private static Report R(DeliveryStatus status, bool final, int minute) =>
        new(status, final, status.ToString(), null, null, new ProviderTime($"m{minute}", T0.AddMinutes(minute), "test"), null, null, null, "test/1");

    private static StatusPosition P(DeliveryStatus status, bool final, int minute) => new(status, final, T0.AddMinutes(minute));

    [Fact]
    public void the_first_report_always_applies() =>
        StatusMachine.Decide(null, R(DeliveryStatus.Pending, false, 0), T0).ShouldBe(ReportEffect.Applied);

    [Fact]
    public void a_late_sent_never_overwrites_delivered() =>
        StatusMachine.Decide(P(DeliveryStatus.Delivered, true, 5), R(DeliveryStatus.Pending, false, 10), T0).ShouldBe(ReportEffect.Superseded);

    [Fact]
    public void a_failure_after_delivered_is_a_conflict() =>
        StatusMachine.Decide(P(DeliveryStatus.Delivered, true, 5), R(DeliveryStatus.Failed, true, 10), T0).ShouldBe(ReportEffect.Conflict);

    [Fact]
    public void delivered_supersedes_failed_whatever_the_times() =>
        StatusMachine.Decide(P(DeliveryStatus.Failed, true, 10), R(DeliveryStatus.Delivered, true, 1), T0).ShouldBe(ReportEffect.Applied);

    [Fact]
    public void a_later_failure_supersedes_an_earlier_one() =>
        StatusMachine.Decide(P(DeliveryStatus.Failed, true, 1), R(DeliveryStatus.Failed, true, 2), T0).ShouldBe(ReportEffect.Applied);

    [Fact]
    public void an_earlier_failure_does_not_supersede_a_later_one() =>
        StatusMachine.Decide(P(DeliveryStatus.Failed, true, 2), R(DeliveryStatus.Failed, true, 1), T0).ShouldBe(ReportEffect.Superseded);

    [Fact]
    public void an_intermediate_never_overwrites_a_final_failure() =>
        StatusMachine.Decide(P(DeliveryStatus.Failed, true, 1), R(DeliveryStatus.Pending, false, 9), T0).ShouldBe(ReportEffect.Superseded);

    [Fact]
    public void an_older_intermediate_does_not_overwrite_a_newer_one() =>
        StatusMachine.Decide(P(DeliveryStatus.Pending, false, 5), R(DeliveryStatus.Pending, false, 4), T0).ShouldBe(ReportEffect.Superseded);

    [Fact]
    public void without_a_provider_time_the_arrival_time_orders_reports()
    {
        var report = R(DeliveryStatus.Pending, false, 0) with { ProviderTime = null };
        StatusMachine.Decide(P(DeliveryStatus.Pending, false, 5), report, T0.AddMinutes(6)).ShouldBe(ReportEffect.Applied);
        StatusMachine.Decide(P(DeliveryStatus.Pending, false, 5), report, T0.AddMinutes(4)).ShouldBe(ReportEffect.Superseded);
    }

    [Fact]
    public void every_arrival_order_of_the_same_reports_ends_in_the_same_status()
    {
        Report[] reports =
        [
            R(DeliveryStatus.Pending, false, 1), R(DeliveryStatus.Failed, true, 3),
            R(DeliveryStatus.Failed, true, 2), R(DeliveryStatus.Pending, false, 4),
        ];
        var outcomes = Permutations(reports).Select(order =>
        {
            StatusPosition? position = null;
            foreach (var r in order)
            {
                if (StatusMachine.Decide(position, r, T0) == ReportEffect.Applied)
                {
                    position = new StatusPosition(r.Status, r.Final, r.ProviderTime!.Utc);
                }
            }

            return position;
        }).Distinct().ToList();

        outcomes.ShouldHaveSingleItem().ShouldBe(P(DeliveryStatus.Failed, true, 3));
    }

    private static IEnumerable<Report[]> Permutations(Report[] items) =>
        items.Length <= 1
            ? [items]
            : items.SelectMany((item, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (Report[])[item, .. rest]));
}
