using Ledger.Providers;

namespace Ledger.Web.Cli;

/// <summary>
/// `verify-config` and `callback-urls [--probe]`: run before the host is built, so they need neither the
/// database nor a free port; they read the same configuration as the server (appsettings, environment,
/// command line). Everything else goes on to the JasperFx commands.
/// </summary>
public static class LedgerCommands
{
    public const string VerifyConfig = "verify-config";
    public const string CallbackUrlsCommand = "callback-urls";
    private const string ProbeFlag = "--probe";

    public static bool Handles(string[] args) =>
        args.Length > 0 && args[0].ToLowerInvariant() is VerifyConfig or CallbackUrlsCommand;

    /// <summary>
    /// The arguments JasperFx's command parser should see. Configuration overrides given the ASP.NET way
    /// (`--Ledger:DataDirectory=/srv/ledger`, `--Ledger:Schema ledger2`) were already read into the
    /// configuration by the host builder; JasperFx knows only its own flags (and `--urls`) and refuses the
    /// rest as "Unknown argument or flag", so they are left out. `--config:…` is JasperFx's own.
    /// </summary>
    public static string[] CommandArgs(string[] args)
    {
        var kept = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=');
            var key = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..(equals < 0 ? arg.Length : equals)] : "";
            if (key.Contains(':') && !key.StartsWith("config:", StringComparison.OrdinalIgnoreCase))
            {
                if (equals < 0 && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++; // `--Section:Key value`: its value goes too
                }

                continue;
            }

            kept.Add(arg);
        }

        return [.. kept];
    }

    /// <summary>The arguments the configuration should see: our command name and flags removed.</summary>
    public static string[] ConfigurationArgs(string[] args) =>
        Handles(args) ? args.Skip(1).Where(a => !a.Equals(ProbeFlag, StringComparison.OrdinalIgnoreCase)).ToArray() : args;

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter errors)
    {
        var options = configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions();
        if (args[0].Equals(VerifyConfig, StringComparison.OrdinalIgnoreCase))
        {
            var problems = ConfigurationCheck.Problems(options, ProviderCatalog.Default().Names);
            foreach (var problem in problems)
            {
                await errors.WriteLineAsync(problem);
            }

            await output.WriteLineAsync(problems.Count == 0 ? "Configuration OK." : $"{problems.Count} configuration problem(s).");
            return problems.Count == 0 ? 0 : 1;
        }

        IReadOnlyList<CallbackUrl> urls;
        try
        {
            urls = CallbackUrls.For(options);
        }
        catch (InvalidOperationException e)
        {
            await errors.WriteLineAsync(e.Message);
            return 1;
        }

        if (urls.Count == 0)
        {
            await errors.WriteLineAsync("No provider account is configured (Ledger__Providers__{provider}__{account}__…).");
            return 1;
        }

        var probe = args.Contains(ProbeFlag, StringComparer.OrdinalIgnoreCase);
        using var client = probe ? new HttpClient { Timeout = TimeSpan.FromSeconds(10) } : null;
        var failed = false;
        foreach (var url in urls)
        {
            await output.WriteLineAsync($"{url.Provider}\t{url.Account}\t{url.Url}");
            if (client is not null)
            {
                var result = await CallbackUrls.ProbeAsync(url, client, options.Account(url.Provider, url.Account));
                failed |= result.StartsWith("FAILED", StringComparison.Ordinal);
                await output.WriteLineAsync($"\tprobe: {result}");
            }
        }

        return failed ? 1 : 0;
    }
}
