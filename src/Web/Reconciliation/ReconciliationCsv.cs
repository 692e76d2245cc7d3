using System.Globalization;
using CsvHelper;

namespace Ledger.Web.Reconciliation;

/// <summary>
/// CSV exports: UTF-8 with a byte order mark (so spreadsheets read Chinese correctly), a header row,
/// written row by row straight to the response body, flushing asynchronously as the buffer fills.
/// </summary>
public static class ReconciliationCsv
{
    /// <summary>
    /// The options of every CSV the service writes. Cells come from providers and callers (`out_id`, message
    /// keys, account names), and finance opens the files in a spreadsheet, which runs a cell starting with
    /// `=`, `+`, `-`, `@`, tab or CR as a formula (`=HYPERLINK(…)`, `+cmd|…`). CsvHelper's own injection
    /// protection puts a `'` before such a text cell (Excel shows it as text); numbers are written as numbers
    /// and are never escaped, so a negative number stays a number.
    /// </summary>
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
    };

    /// <summary>
    /// Rows of cells: text as <see cref="string"/> (protected from injection), numbers as <see cref="long"/>
    /// or <see cref="int"/> (written as numbers), null as an empty cell.
    /// </summary>
    public static IResult Stream(string fileName, string[] header, Func<CancellationToken, IAsyncEnumerable<object?[]>> rows, CancellationToken ct) =>
        Results.Stream(async body =>
        {
            await using var csv = CsvWriter.Create(body, Options, leaveOpen: true);
            await csv.WriteRecordAsync(header, ct);
            await foreach (var row in rows(ct))
            {
                foreach (var cell in row)
                {
                    csv.WriteField(cell);
                }

                await csv.EndRecordAsync(ct);
            }

            await csv.FlushAsync(ct);
        }, "text/csv; charset=utf-8", fileName);

    public static string? Instant(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
