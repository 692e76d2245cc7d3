using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Webhooks;

namespace Ledger.Tests.Webhooks;

/// <summary>StatusChanges.Detect on histories built by the real projection (pure; no database).</summary>
public sealed class status_change_detection
{
    private static readonly MessageProjection Projection = new(TimeZoneInfo.Utc);

    private static ReportReceived Report(DeliveryStatus status, bool final, string providerStatus, string time) =>
        new("default", Guid.NewGuid(), 0, "{}", DateTimeOffset.Parse("2026-11-25T03:00:00Z"), new Report(status, final, providerStatus, null, null,
            new ProviderTime(time, DateTimeOffset.Parse(time), "utc"), null, null, null, "test-1"));

    private static Message Build(params object[] events) => Projection.Fold("huawei:m1", events)!;

    [Fact]
    public void several_reports_in_one_commit_give_the_changes_they_would_give_one_by_one()
    {
        object[] events =
        [
            Report(DeliveryStatus.Pending, false, "ENROUTE", "2026-11-25T02:00:00Z"),
            Report(DeliveryStatus.Failed, true, "UNDELIV", "2026-11-25T02:01:00Z"),
            Report(DeliveryStatus.Failed, true, "UNDELIV", "2026-11-25T02:01:00Z"), // duplicate
            Report(DeliveryStatus.Delivered, true, "DELIVRD", "2026-11-25T02:02:00Z"),
            Report(DeliveryStatus.Failed, true, "EXPIRED", "2026-11-25T02:03:00Z"), // conflict
        ];

        var together = new List<StatusChange>();
        StatusChanges.Detect(Build(events), events.Length, together);

        var oneByOne = new List<StatusChange>();
        for (var n = 1; n <= events.Length; n++)
        {
            StatusChanges.Detect(Build(events[..n]), 1, oneByOne);
        }

        together.ShouldBe(oneByOne);
        together.Select(c => (c.PreviousStatus, c.Status, c.Intermediate, c.Version)).ShouldBe(
        [
            (DeliveryStatus.Pending, DeliveryStatus.Pending, true, 1L),
            (DeliveryStatus.Pending, DeliveryStatus.Failed, false, 2L),
            (DeliveryStatus.Failed, DeliveryStatus.Delivered, false, 4L),
        ]);
        together.Select(c => c.WebhookId).Distinct().Count().ShouldBe(3);
        together.ShouldAllBe(c => !c.Correction && c.StreamKey == "huawei:m1");
    }
}
