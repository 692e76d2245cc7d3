using Ledger.Events;
using Ledger.Projections;
using Ledger.Web.Webhooks;

namespace Ledger.Tests.Webhooks;

/// <summary>StatusChanges.Detect on histories built by the real projection (pure; no database).</summary>
public sealed class status_change_detection
{
    private static readonly DeliveryHistoryProjection Projection = new();

    private static ReportInterpreted Report(DeliveryStatus status, bool final, string providerStatus, string time) =>
        new(Guid.NewGuid(), DateTimeOffset.Parse("2026-11-25T03:00:00Z"), new Report(status, final, providerStatus, null, null,
            new ProviderTime(time, DateTimeOffset.Parse(time), "utc"), null, null, null, "test-1"));

    private static CallbackReceived Received() =>
        new("huawei", "default", "m1", Guid.NewGuid(), 0, "{}", DateTimeOffset.Parse("2026-11-25T03:00:00Z"));

    private static DeliveryHistory Build(params object[] events)
    {
        DeliveryHistory? history = null;
        foreach (var e in events)
        {
            history = e switch
            {
                CallbackReceived r when history is null => Projection.Create(new JasperFx.Events.Event<CallbackReceived>(r) { StreamKey = "huawei:m1" }),
                CallbackReceived r => Projection.Apply(r, history!),
                ReportInterpreted r => Projection.Apply(r, history!),
                _ => throw new ArgumentException(e.GetType().Name),
            };
        }

        return history!;
    }

    [Fact]
    public void several_reports_in_one_commit_give_the_changes_they_would_give_one_by_one()
    {
        object[] events =
        [
            Received(), Report(DeliveryStatus.Pending, false, "ENROUTE", "2026-11-25T02:00:00Z"),
            Received(), Report(DeliveryStatus.Failed, true, "UNDELIV", "2026-11-25T02:01:00Z"),
            Received(), Report(DeliveryStatus.Failed, true, "UNDELIV", "2026-11-25T02:01:00Z"), // duplicate
            Received(), Report(DeliveryStatus.Delivered, true, "DELIVRD", "2026-11-25T02:02:00Z"),
            Received(), Report(DeliveryStatus.Failed, true, "EXPIRED", "2026-11-25T02:03:00Z"), // conflict
        ];

        var together = new List<StatusChange>();
        StatusChanges.Detect(Build(events), events.Length, together);

        var oneByOne = new List<StatusChange>();
        for (var n = 2; n <= events.Length; n += 2)
        {
            StatusChanges.Detect(Build(events[..n]), 2, oneByOne);
        }

        together.ShouldBe(oneByOne);
        together.Select(c => (c.PreviousStatus, c.Status, c.Intermediate, c.Version)).ShouldBe(
        [
            (DeliveryStatus.Pending, DeliveryStatus.Pending, true, 2L),
            (DeliveryStatus.Pending, DeliveryStatus.Failed, false, 4L),
            (DeliveryStatus.Failed, DeliveryStatus.Delivered, false, 8L),
        ]);
        together.Select(c => c.WebhookId).Distinct().Count().ShouldBe(3);
        together.ShouldAllBe(c => !c.Correction && c.StreamKey == "huawei:m1");
    }
}
