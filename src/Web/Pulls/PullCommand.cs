using System.Globalization;
using System.Text.Json;
using Ledger.Providers.Pull;

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
        if (args.Contains("--probe", StringComparer.OrdinalIgnoreCase))
        {
            return await ProbeAsync(services, Value(args, "--provider"), Value(args, "--account"));
        }

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

    /// <summary>
    /// `pull --probe [--provider p] [--account a]`: one query per account with Pull settings, about a message
    /// that does not exist, to prove the endpoint, the credentials and the signature end to end before a
    /// report goes missing. Prints one line per account; exit 1 when any could not be asked. Nothing is stored.
    /// </summary>
    public static async Task<int> ProbeAsync(IServiceProvider services, string? onlyProvider, string? onlyAccount)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value;
        var providers = services.GetRequiredService<PullProviders>();
        var now = DateTimeOffset.UtcNow;
        var failed = 0;
        var asked = 0;
        foreach (var (provider, accounts) in options.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if ((onlyProvider is not null && !provider.Equals(onlyProvider, StringComparison.OrdinalIgnoreCase)) || providers.Find(provider) is not { } pull)
            {
                continue;
            }

            foreach (var (name, account) in accounts.Where(a => a.Value.Pull is not null && (onlyAccount is null || a.Key == onlyAccount)))
            {
                asked++;
                var answer = await pull.Query.QueryAsync(
                    new PullRequest(name, account.Pull!, ProbePhone, now.AddHours(-1), now, [ProbeKey(provider)]), CancellationToken.None);
                var line = answer.Error switch
                {
                    null => $"answered (HTTP {answer.HttpStatus}): credentials and signature accepted",
                    { Kind: PullErrorKind.Provider } e => $"answered (HTTP {answer.HttpStatus}, {e.ProviderCode}): credentials accepted; the probe's made-up message is unknown, as expected",
                    { Kind: PullErrorKind.Throttled } => $"throttled (HTTP {answer.HttpStatus}): credentials accepted; try again later",
                    var e => $"FAILED ({e.Kind}{(e.ProviderCode is null ? "" : $", {e.ProviderCode}")}): {e.Detail}",
                };
                if (answer.Error is { Kind: not (PullErrorKind.Provider or PullErrorKind.Throttled) })
                {
                    failed++;
                }

                Console.WriteLine($"{provider,-8} {name,-12} {line}");
            }
        }

        if (asked == 0)
        {
            await Console.Error.WriteLineAsync("No account has Pull settings (Ledger__Providers__{provider}__{account}__Pull__…) for a provider with a query API.");
            return 1;
        }

        return failed == 0 ? 0 : 1;
    }

    /// <summary>A number and message no real send has: the probe asks about something that cannot exist.</summary>
    private const string ProbePhone = "+8613800000000";

    private static string ProbeKey(string provider) => provider.ToLowerInvariant() switch
    {
        "aliyun" => "ledgerprobe:13800000000",
        "twilio" => "SM00000000000000000000000000000000",
        _ => "ledger-probe",
    };

    private static string? Value(string[] args, string name) =>
        Array.FindIndex(args, a => a.Equals(name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

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
