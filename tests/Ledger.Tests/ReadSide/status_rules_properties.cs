using FsCheck;
using FsCheck.Fluent;
using Ledger.Events;
using Ledger.Projections;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// docs/rules.md rule 4 as properties of MessageProjection's fold (pure, no database): whatever the
/// arrival order and however many re-pushes, the final status is the same, and it is delivered when any
/// report delivered, else the latest final failure, else the latest intermediate.
/// </summary>
public sealed class status_rules_properties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-25T02:00:00Z");

    private enum Kind { Intermediate, Delivered, Failed }

    /// <summary>Distinct reports (distinct provider times), some pushed again, in an arrival order.</summary>
    private sealed record Case(Report[] Distinct, Report[] Arrivals, int Duplicates, Report[] OtherArrivals);

    private static Report ReportOf(Kind kind, int minute, int index) => new(
        kind switch { Kind.Delivered => DeliveryStatus.Delivered, Kind.Failed => DeliveryStatus.Failed, _ => DeliveryStatus.Pending },
        kind != Kind.Intermediate,
        kind switch { Kind.Delivered => "DELIVRD", Kind.Failed => "UNDELIV", _ => "ENROUTE" },
        kind == Kind.Failed ? $"E{index}" : null,
        null,
        new ProviderTime($"m{minute}", Start.AddMinutes(minute), "test"),
        "13812345678",
        null,
        1,
        "test/1");

    private static readonly Gen<Case> Cases =
        from kinds in Gen.Elements(Kind.Intermediate, Kind.Delivered, Kind.Failed).ArrayOf().Where(k => k.Length is > 0 and <= 8)
        from minutes in Gen.Shuffle(Enumerable.Range(0, 60).ToArray())
        from repeats in Gen.Choose(0, 3).ArrayOf(kinds.Length)
        let distinct = kinds.Select((k, i) => ReportOf(k, minutes[i], i)).ToArray()
        let pushes = distinct.SelectMany((r, i) => Enumerable.Repeat(r, 1 + repeats[i])).ToArray()
        from arrivals in Gen.Shuffle(pushes)
        from other in Gen.Shuffle(pushes)
        select new Case(distinct, arrivals, repeats.Sum(), other);

    private static readonly MessageProjection Projection = new(TimeZoneInfo.Utc);

    private static Message Fold(IEnumerable<Report> arrivals)
    {
        var i = 0;
        return Projection.Fold("generic:prop", arrivals.Select(report =>
            new ReportReceived("default", Guid.NewGuid(), 0, "{}", Start.AddHours(1).AddSeconds(i++), report)))!;
    }

    // Among several delivered reports the first to arrive keeps `reportedAt` (StatusMachine treats a later
    // delivered as superseded), so only the status itself is compared once delivered.
    private static (DeliveryStatus, bool, string?, string?, DateTimeOffset?) Outcome(Message s) =>
        s.Status == DeliveryStatus.Delivered ? (s.Status, s.Final, null, null, null) : (s.Status, s.Final, s.ProviderStatus, s.ErrorCode, s.ReportedAt);

    [Fact]
    public void any_arrival_order_gives_the_same_final_status()
    {
        Prop.ForAll(Cases.ToArbitrary(), c => Outcome(Fold(c.Arrivals)) == Outcome(Fold(c.OtherArrivals))).Check(Runs);
    }

    [Fact]
    public void delivered_wins_else_the_latest_final_failure_else_the_latest_intermediate()
    {
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var expected =
                c.Distinct.FirstOrDefault(r => r.Status == DeliveryStatus.Delivered)
                ?? c.Distinct.Where(r => r.Status == DeliveryStatus.Failed).MaxBy(r => r.ProviderTime!.Utc)
                ?? c.Distinct.MaxBy(r => r.ProviderTime!.Utc)!;
            var actual = Fold(c.Arrivals);
            return actual.Status == expected.Status
                && actual.Final == expected.Final
                && (expected.Status == DeliveryStatus.Delivered || actual.ErrorCode == expected.ErrorCode)
                && (expected.Status == DeliveryStatus.Delivered || actual.ReportedAt == expected.ProviderTime!.Utc);
        }).Check(Runs);
    }

    [Fact]
    public void every_push_is_counted_and_every_re_push_is_a_duplicate_that_changes_nothing()
    {
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var actual = Fold(c.Arrivals);
            var withoutRepeats = Fold(c.Arrivals.Distinct());
            return actual.DuplicateCount == c.Duplicates && Outcome(actual) == Outcome(withoutRepeats);
        }).Check(Runs);
    }
}
