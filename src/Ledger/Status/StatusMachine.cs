using Ledger.Events;

namespace Ledger.Status;

/// <summary>What a report did to a message's status.</summary>
public enum ReportEffect
{
    /// <summary>The report set the status.</summary>
    Applied,
    /// <summary>The same report was seen before; recorded, changes nothing.</summary>
    Duplicate,
    /// <summary>A failure after delivered: recorded as a conflict, delivered stays (docs/rules.md rule 4).</summary>
    Conflict,
    /// <summary>Older or weaker than what we know (an intermediate after a final, an older failure).</summary>
    Superseded,
}

/// <summary>The part of a message's state that decides what a new report may change.</summary>
public sealed record StatusPosition(DeliveryStatus Status, bool Final, DateTimeOffset EffectiveTime);

/// <summary>
/// docs/rules.md rule 4 as a pure function. Ordering uses the provider's own report time and falls back
/// to our receive time when the provider sent none; among equal times the later arrival wins.
/// </summary>
public static class StatusMachine
{
    public static DateTimeOffset EffectiveTime(Report report, DateTimeOffset receivedAt) =>
        report.ProviderTime?.Utc ?? receivedAt;

    public static ReportEffect Decide(StatusPosition? current, Report report, DateTimeOffset receivedAt)
    {
        if (current is null)
        {
            return ReportEffect.Applied;
        }

        var time = EffectiveTime(report, receivedAt);
        var deliveredNow = current.Final && current.Status == DeliveryStatus.Delivered;
        var reportDelivers = report.Final && report.Status == DeliveryStatus.Delivered;

        if (deliveredNow)
        {
            // Delivered is terminal. A later failure contradicts it: keep it visible as a conflict.
            return report.Final && !reportDelivers ? ReportEffect.Conflict : ReportEffect.Superseded;
        }

        if (reportDelivers)
        {
            // Delivered supersedes a failure (first attempt failed, the retry succeeded) and any intermediate.
            return ReportEffect.Applied;
        }

        if (current.Final)
        {
            // A final failure gives way only to another final report with a later provider time.
            return report.Final && time > current.EffectiveTime ? ReportEffect.Applied : ReportEffect.Superseded;
        }

        // Current is intermediate: any final report wins; an intermediate wins when not older.
        return report.Final || time >= current.EffectiveTime ? ReportEffect.Applied : ReportEffect.Superseded;
    }
}
