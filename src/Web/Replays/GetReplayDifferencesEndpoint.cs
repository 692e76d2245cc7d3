using Ledger.Web.Security;
using CsvHelper;
using Ledger.Replay;
using Ledger.Web.Reconciliation;
using Marten;
using Wolverine.Http;

namespace Ledger.Web.Replays;

/// <summary>
/// `GET /replays/{id}/differences?format=json|csv`: every difference a replay found (a dry run's full
/// report, to review before applying). CSV is UTF-8 with a BOM so spreadsheet tools read it as UTF-8, with
/// cells that a spreadsheet would run as a formula escaped like every CSV of the service.
/// </summary>
public static class GetReplayDifferencesEndpoint
{
    [RequiresRole(Roles.Admin)]
    [WolverineGet("/replays/{id}/differences")]
    public static async Task<IResult> Get(Guid id, string? format, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<ReplayJob>(id, ct) is null)
        {
            return Problems.NotFound($"No replay {id}.");
        }

        var differences = await session.Query<ReplayDifference>()
            .Where(d => d.ReplayId == id)
            .OrderBy(d => d.ReceivedAt).ThenBy(d => d.RequestId).ThenBy(d => d.ItemIndex)
            .ToListAsync(ct);

        return (format ?? "json").ToLowerInvariant() switch
        {
            "json" => Results.Json(differences),
            "csv" => Results.File(Csv(differences), "text/csv; charset=utf-8", $"replay-{id}-differences.csv"),
            _ => Results.Problem(detail: $"format '{format}' is not supported; use json or csv.", statusCode: 400, title: "bad format"),
        };
    }

    public static byte[] Csv(IEnumerable<ReplayDifference> differences)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, ReconciliationCsv.Options, true))
        {
            csv.WriteRecords(differences);
        }

        return buffer.ToArray();
    }
}

/// <summary>Lets CsvHelper's source generator write ReplayDifference rows (the type lives in Ledger, which knows no CSV).</summary>
[CsvRecordMap(typeof(ReplayDifference))]
internal sealed partial class ReplayDifferenceCsvMap;
