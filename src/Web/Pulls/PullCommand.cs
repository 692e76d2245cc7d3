using System.Globalization;
using System.Text.Json;

namespace Ledger.Web.Pulls;

/// <summary>
/// `pull --provider p [--account a] [--from t] [--to t] [--message-key k]…`: the same job as `POST /pulls`,
/// run in this process to the end (waiting out throttling); prints the job and exits 0 when it completed.
/// </summary>
public static class PullCommand
{
    public const string Name = "pull";

    public const string Usage =
        "usage: pull --provider NAME [--account NAME] [--from INSTANT] [--to INSTANT] [--message-key KEY]...   " +
        "(times: ISO 8601; a date alone is midnight UTC; --to is exclusive; without --from, the last day)";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (!TryParse(args, out var command, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var runner = services.GetRequiredService<PullRunner>();
        var (job, problem) = StartPullEndpoint.Validate(command, runner, DateTimeOffset.UtcNow, $"cli:{Environment.UserName}");
        if (job is null)
        {
            await Console.Error.WriteLineAsync(problem);
            return 2;
        }

        await runner.QueueAsync(job);
        while (true)
        {
            var (ran, wait) = await runner.RunAsync(job.Id);
            job = ran;
            if (job.Finished)
            {
                break;
            }

            if (wait is { } delay)
            {
                await Console.Error.WriteLineAsync($"{job.State}: {job.LastError} (next attempt in {delay.TotalSeconds:0} s)");
                await Task.Delay(delay);
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(PullView.Of(job), new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        return job.State == PullStates.Completed ? 0 : 1;
    }

    public static bool TryParse(string[] args, out StartPull command, out string? error)
    {
        command = new StartPull(null, null, null, null, null);
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
                    case "--provider": command = command with { Provider = Value() }; break;
                    case "--account": command = command with { Account = Value() }; break;
                    case "--from": command = command with { From = Instant(Value()) }; break;
                    case "--to": command = command with { To = Instant(Value()) }; break;
                    case "--message-key" or "--message-keys": keys.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    default: throw new FormatException($"unknown option '{arg}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        command = command with { MessageKeys = keys.Count > 0 ? keys : null };
        if (string.IsNullOrWhiteSpace(command.Provider))
        {
            error = "--provider is required";
            return false;
        }

        return true;
    }

    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
