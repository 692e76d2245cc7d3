using System.Globalization;
using CsvHelper;

namespace Ledger.Web.Reconciliation;

/// <summary>
/// CSV exports: UTF-8 with a byte order mark (so spreadsheets read Chinese correctly), a header row,
/// written row by row straight to the response body, flushing asynchronously as the buffer fills.
/// </summary>
public static class ReconciliationCsv
{
    public static IResult Stream(string fileName, string[] header, Func<CancellationToken, IAsyncEnumerable<string?[]>> rows, CancellationToken ct) =>
        Results.Stream(async body =>
        {
            await using var csv = CsvWriter.Create(body, CsvWriterOptions.Default with { WriteByteOrderMark = true }, leaveOpen: true);
            await csv.WriteRecordAsync(header, ct);
            await foreach (var row in rows(ct))
            {
                await csv.WriteRecordAsync(row!, ct);
            }

            await csv.FlushAsync(ct);
        }, "text/csv; charset=utf-8", fileName);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string? Instant(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
