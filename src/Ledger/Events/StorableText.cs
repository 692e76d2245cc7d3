namespace Ledger.Events;

/// <summary>
/// Text PostgreSQL cannot hold: U+0000 is refused in `text` and `jsonb` alike, so a report whose reading
/// carries one (an `err_msg` with `\u0000` in it) would fail its whole commit. The reading is stored with
/// each U+0000 replaced by U+FFFD and the replacement noted (<see cref="Report.TextReplaced"/>); the raw
/// request keeps the bytes as received. Pure, and applied wherever a reading is stored or compared.
/// </summary>
public static class StorableText
{
    public const char Replacement = '\uFFFD';

    public static string? Clean(string? value) => value is null || !value.Contains('\0') ? value : value.Replace('\0', Replacement);

    /// <summary>The report as it can be stored: unchanged (the same instance) when nothing needed replacing.</summary>
    public static Report Clean(Report report)
    {
        if (!Needs(report.ProviderStatus) && !Needs(report.ErrorCode) && !Needs(report.Description) && !Needs(report.Phone)
            && !Needs(report.OutId) && !Needs(report.ParserVersion) && !Needs(report.ProviderTime?.Raw) && !Needs(report.ProviderTime?.Rule))
        {
            return report;
        }

        return report with
        {
            ProviderStatus = Clean(report.ProviderStatus),
            ErrorCode = Clean(report.ErrorCode),
            Description = Clean(report.Description),
            Phone = Clean(report.Phone),
            OutId = Clean(report.OutId),
            ParserVersion = Clean(report.ParserVersion)!,
            ProviderTime = report.ProviderTime is { } time ? time with { Raw = Clean(time.Raw)!, Rule = Clean(time.Rule)! } : null,
            TextReplaced = true,
        };
    }

    private static bool Needs(string? value) => value is not null && value.Contains('\0');

    /// <summary>Whether bytes are text a jsonb string holds as it is, byte for byte: valid UTF-8 without U+0000.</summary>
    public static bool Holds(ReadOnlySpan<byte> utf8) => !utf8.Contains((byte)0) && System.Text.Unicode.Utf8.IsValid(utf8);
}
