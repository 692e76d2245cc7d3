using Ledger.Projections;

namespace Ledger.Web.Reconciliation;

/// <summary>`Ledger:Reconciliation`: the business-day time zone and how long a sent message may wait for its final report.</summary>
public sealed class ReconciliationSettings(TimeZoneInfo zone, TimeSpan missingReportAfter)
{
    public TimeZoneInfo Zone { get; } = zone;

    public TimeSpan MissingReportAfter { get; } = missingReportAfter;

    public static ReconciliationSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Ledger:Reconciliation");
        var hours = section.GetValue<double?>("MissingReportAfterHours") ?? 72;
        return new ReconciliationSettings(BusinessDay.Zone(section["TimeZone"]), TimeSpan.FromHours(hours));
    }
}
