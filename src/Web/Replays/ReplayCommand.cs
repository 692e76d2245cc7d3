using Ledger.Storage;
using System.Globalization;
using System.Text.Json;
using Ledger.Replay;

namespace Ledger.Web.Replays;

/// <summary>
/// `replay [--provider p] [--account a] [--from t] [--to t] [--message-key k]… [--include-quarantine] [--dry-run]`:
/// the same replay as `POST /replays`, run in this process to the end; prints the job and exits 0 when it completed.
/// </summary>
public static class ReplayCommand
{
    public const string Name = "replay";

    public const string Usage =
        "usage: replay [--provider NAME] [--account NAME] [--from INSTANT] [--to INSTANT] [--message-key KEY]... " +
        "[--include-quarantine] [--dry-run] [--chunk-size N]   (times: ISO 8601; a date alone is midnight UTC; --to is exclusive)";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (!TryParse(args, out var options, out var chunkSize, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var runner = services.GetRequiredService<ReplayRunner>();
        var job = await runner.QueueAsync(options, $"cli:{Environment.UserName}", chunkSize);
        job = await runner.RunAsync(job.Id);
        Console.WriteLine(JsonSerializer.Serialize(ReplayView.From(job, DateTimeOffset.UtcNow), new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        return job.State == ReplayStates.Completed ? 0 : 1;
    }

    public static bool TryParse(string[] args, out ReplayOptions options, out int chunkSize, out string? error)
    {
        options = new ReplayOptions();
        chunkSize = 100;
        error = null;
        var keys = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{arg} needs a value");
            try
            {
                switch (arg)
                {
                    case "--provider": options = options with { Provider = Value().ToLowerInvariant() }; break;
                    case "--account": options = options with { Account = Value() }; break;
                    case "--from": options = options with { From = Instant(Value()) }; break;
                    case "--to": options = options with { To = Instant(Value()) }; break;
                    case "--message-key" or "--message-keys": keys.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    case "--include-quarantine": options = options with { IncludeQuarantine = true }; break;
                    case "--dry-run": options = options with { DryRun = true }; break;
                    case "--chunk-size": chunkSize = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    default: throw new FormatException($"unknown option '{arg}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        options = options with { MessageKeys = keys.Count > 0 ? keys : null };
        error = options.Problem();
        return error is null;
    }

    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
