using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Time;

namespace Ledger.Tests.Pull;

/// <summary>
/// README.md: "a pulled report is a duplicate of a pushed one when status, error code and provider time
/// agree". The fold, pure: Tencent pushes its receipt time as a Beijing string and its query API as epoch
/// seconds, so the two raw texts differ while they name the same instant.
/// </summary>
public sealed class pulled_duplicate_rules
{
    private static readonly MessageProjection Projection = new(TimeZoneInfo.Utc);
    private static readonly DateTimeOffset Instant = DateTimeOffset.Parse("2026-03-01T02:30:04Z");
    private const string Key = "tencent:sid-1";

    private static Report Delivered(string raw, string? errorCode = "DELIVRD", DeliveryStatus status = DeliveryStatus.Delivered, DateTimeOffset? at = null) =>
        new(status, true, "SUCCESS", errorCode, errorCode, new ProviderTime(raw, at ?? Instant, "test"), "+8613800138000", null, null, "test/1");

    private static ReportReceived Pushed(Report report) =>
        new("default", Guid.NewGuid(), 0, "{}", Instant.AddMinutes(1), report);

    private static ReportReceived Pulled(Report report) =>
        new("default", Guid.NewGuid(), 0, "{}", Instant.AddHours(1), report, ReportSources.Pull);

    private static Message Fold(params object[] events) => Projection.Fold(Key, events)!;

    [Fact]
    public void a_pulled_report_equal_to_a_pushed_one_is_a_duplicate_though_its_time_is_written_differently()
    {
        var message = Fold(Pushed(Delivered("2026-03-01 10:30:04")), Pulled(Delivered("1772332204")));

        message.Entries[^1].Effect.ShouldBe(ReportEffect.Duplicate);
        message.Entries[^1].Source.ShouldBe(ReportSources.Pull);
        message.DuplicateCount.ShouldBe(1);
        message.CallbackCount.ShouldBe(2);
        message.PulledCount.ShouldBe(1);
        message.Status.ShouldBe(DeliveryStatus.Delivered);
    }

    [Fact]
    public void a_push_arriving_after_the_pull_that_filled_it_is_a_duplicate_too() =>
        Fold(Pulled(Delivered("1772332204")), Pushed(Delivered("2026-03-01 10:30:04"))).Entries[^1].Effect.ShouldBe(ReportEffect.Duplicate);

    [Fact]
    public void two_pushes_with_differently_written_times_are_still_compared_by_their_text() =>
        Fold(Pushed(Delivered("2026-03-01 10:30:04")), Pushed(Delivered("20260301103004"))).DuplicateCount.ShouldBe(0);

    [Fact]
    public void a_pulled_report_with_another_error_code_or_time_or_status_is_not_a_duplicate()
    {
        Fold(Pushed(Delivered("a")), Pulled(Delivered("b", errorCode: "OTHER"))).DuplicateCount.ShouldBe(0);
        Fold(Pushed(Delivered("a")), Pulled(Delivered("b", at: Instant.AddSeconds(1)))).DuplicateCount.ShouldBe(0);
        Fold(Pushed(Delivered("a")), Pulled(Delivered("b", status: DeliveryStatus.Failed))).DuplicateCount.ShouldBe(0);
    }

    [Fact]
    public void a_pulled_failure_after_a_pushed_delivery_follows_the_status_rules()
    {
        var message = Fold(Pushed(Delivered("a")), Pulled(Delivered("b", errorCode: "MK:0023", status: DeliveryStatus.Failed)));

        message.Entries[^1].Effect.ShouldBe(ReportEffect.Conflict);
        message.Status.ShouldBe(DeliveryStatus.Delivered);
    }

    [Fact]
    public void a_pull_that_found_nothing_is_counted_and_changes_no_status()
    {
        var message = Fold(
            new MessageSubmitted("tencent", "default", "sid-1", "+8613800138000", Instant, 1, null, Guid.NewGuid(), Instant),
            new PullFoundNoReport("tencent", "default", "sid-1", Guid.NewGuid(), Instant.AddHours(1), "nothing"));

        message.PullsWithoutReport.ShouldBe(1);
        message.LastPulledAt.ShouldBe(Instant.AddHours(1));
        message.Status.ShouldBe(DeliveryStatus.Pending);
        message.Entries[^1].Type.ShouldBe("pull_found_no_report");
    }

    [Fact]
    public void a_replay_correction_keeps_the_pulled_duplicate_a_duplicate()
    {
        var push = Pushed(Delivered("2026-03-01 10:30:04"));
        var message = Fold(push, Pulled(Delivered("1772332204")),
            new InterpretationCorrected(Guid.NewGuid(), push.RequestId, 0, Delivered("2026-03-01 10:30:04"),
                Delivered("2026-03-01 10:30:04") with { Description = "read again" }, "test", Instant.AddHours(2)));

        message.DuplicateCount.ShouldBe(1);
        message.Status.ShouldBe(DeliveryStatus.Delivered);
    }
}
