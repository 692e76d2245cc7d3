using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace Ledger.Web.Messages;

/// <summary>One row of a sent registration as it came (JSON object or CSV record), 1-based.</summary>
public sealed record SentRow(int Row, string? Provider, string? Account, string? MessageKey, string? Phone, string? SentAt, string? BilledParts, string? OutId);

/// <summary>A validated row.</summary>
public sealed record SentMessage(string Provider, string Account, string MessageKey, string? Phone, DateTimeOffset SentAt, int? BilledParts, string? OutId);

public sealed record RowError(int Row, string Error);

/// <summary>
/// Reading and checking `POST /messages/sent` bodies: a JSON array of objects, or CSV with a header row
/// (`provider,account,messageKey,phone,sentAt,billedParts,outId`; `parts` is accepted for `billedParts`).
/// Pure apart from the CSV reader; every bad row is reported, not just the first.
/// </summary>
public static class RegisterSentRows
{
    private static readonly string[] Columns = ["provider", "account", "messageKey", "phone", "sentAt", "billedParts", "outId"];

    public static bool IsCsv(string? contentType) =>
        contentType is not null && (contentType.Contains("csv", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase));

    /// <returns>the rows, or a reason the body as a whole cannot be read.</returns>
    public static (IReadOnlyList<SentRow> Rows, string? Error) ReadJson(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return ([], $"The body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ([], "The body must be a JSON array of sent messages.");
            }

            var rows = new List<SentRow>();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                index++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    rows.Add(new SentRow(index, null, null, null, null, null, null, null));
                    continue;
                }

                var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in item.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Null or JsonValueKind.Undefined => null,
                        _ => property.Value.GetRawText(),
                    };
                }

                rows.Add(Row(index, name => values.GetValueOrDefault(name)));
            }

            return (rows, null);
        }
    }

    public static async Task<(IReadOnlyList<SentRow> Rows, string? Error)> ReadCsvAsync(byte[] body, CancellationToken ct)
    {
        var rows = new List<SentRow>();
        try
        {
            await using var csv = CsvReader.Create(new MemoryStream(body), CsvReaderOptions.Default, leaveOpen: false);
            await csv.ReadHeaderAsync(ct);
            var indexes = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in Columns.Append("parts"))
            {
                if (csv.TryGetFieldIndex(name, out var i))
                {
                    indexes[name] = i;
                }
            }

            if (!indexes.ContainsKey("provider") || !indexes.ContainsKey("messageKey"))
            {
                return ([], $"The CSV needs a header row with at least provider, messageKey and sentAt; columns: {string.Join(",", Columns)}.");
            }

            while (await csv.ReadAsync(ct))
            {
                var row = (int)csv.RowNumber;
                rows.Add(Row(row, name => indexes.TryGetValue(name, out var i) && i < csv.FieldCount ? csv.GetString(i) : null));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ([], $"The CSV could not be read: {e.Message}");
        }

        return (rows, null);
    }

    private static SentRow Row(int index, Func<string, string?> field) => new(
        index, field("provider"), field("account"), field("messageKey"), field("phone"), field("sentAt"),
        field("billedParts") ?? field("parts"), field("outId"));

    /// <summary>Checks every row; `sentAt` without an offset is read in the business-day time zone.</summary>
    public static (IReadOnlyList<SentMessage> Valid, IReadOnlyList<RowError> Errors) Validate(IReadOnlyList<SentRow> rows, IReadOnlyCollection<string> providers, TimeZoneInfo zone)
    {
        var valid = new List<SentMessage>();
        var errors = new List<RowError>();
        foreach (var row in rows)
        {
            var problems = new List<string>();
            var provider = row.Provider?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(provider))
            {
                problems.Add("provider is required");
            }
            else if (!providers.Contains(provider))
            {
                problems.Add($"provider '{provider}' is not one of {string.Join(", ", providers.Order())}");
            }

            var key = row.MessageKey?.Trim();
            if (string.IsNullOrEmpty(key))
            {
                problems.Add("messageKey is required");
            }

            DateTimeOffset sentAt = default;
            if (string.IsNullOrWhiteSpace(row.SentAt))
            {
                problems.Add("sentAt is required");
            }
            else if (ParseInstant(row.SentAt, zone) is { } parsed)
            {
                sentAt = parsed;
            }
            else
            {
                problems.Add($"sentAt '{row.SentAt}' is not a date and time (ISO 8601, e.g. 2026-11-25T10:32:00+08:00)");
            }

            int? parts = null;
            if (!string.IsNullOrWhiteSpace(row.BilledParts))
            {
                if (int.TryParse(row.BilledParts.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= Ledger.Providers.SmsParts.Max)
                {
                    parts = n;
                }
                else
                {
                    problems.Add($"billedParts '{row.BilledParts}' is not a whole number from 1 to {Ledger.Providers.SmsParts.Max} (the most parts one SMS can have)");
                }
            }

            if (problems.Count > 0)
            {
                errors.Add(new RowError(row.Row, string.Join("; ", problems)));
                continue;
            }

            var account = string.IsNullOrWhiteSpace(row.Account) ? "default" : row.Account.Trim();
            valid.Add(new SentMessage(provider!, account, key!, Blank(row.Phone), sentAt, parts, Blank(row.OutId)));
        }

        return (valid, errors);
    }

    public static DateTimeOffset? ParseInstant(string text, TimeZoneInfo zone)
    {
        text = text.Trim();
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local))
        {
            return null;
        }

        if (local.Kind == DateTimeKind.Unspecified)
        {
            // No offset: a local time of the business day zone (what a Chinese export usually holds).
            return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        }

        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUniversalTime();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static string Describe(IReadOnlyList<RowError> errors)
    {
        var text = new StringBuilder($"{errors.Count} row(s) are invalid; nothing was registered. ");
        text.AppendJoin(" ", errors.Take(20).Select(e => $"Row {e.Row}: {e.Error}."));
        if (errors.Count > 20)
        {
            text.Append($" ({errors.Count - 20} more in `errors`.)");
        }

        return text.ToString();
    }
}
