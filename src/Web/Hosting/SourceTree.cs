namespace Ledger.Web.Hosting;

/// <summary>
/// Where the service and its commands look for their settings and data, the same from wherever they are
/// started: run from a clone (`build.ps1 run`, `dotnet run --project src/Web`, `dotnet src/Web/bin/…/Ledger.Web.dll`),
/// the content root is `src/Web` (its appsettings*.json) and the data directory the clone's `./.ledger`;
/// installed elsewhere (no clone above the executable), ASP.NET Core's usual working directory.
/// </summary>
public static class SourceTree
{
    public const string DefaultDataDirectory = ".ledger";

    /// <summary>The clone the executable was built in: the nearest folder above it with `Ledger.sln` and `src/Web/Web.csproj`.</summary>
    public static string? RepositoryRoot(string? start = null)
    {
        for (var folder = new DirectoryInfo(start ?? AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Ledger.sln")) && File.Exists(Path.Combine(folder.FullName, "src", "Web", "Web.csproj")))
            {
                return folder.FullName;
            }
        }

        return null;
    }

    /// <summary>
    /// The host's options: content root `src/Web` when run from a clone, unless the caller chose one
    /// (`--contentRoot`, `ASPNETCORE_CONTENTROOT`; test hosts pass theirs as an argument).
    /// </summary>
    public static WebApplicationOptions HostOptions(string[] args, string? repositoryRoot)
    {
        var chosen = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = chosen || repositoryRoot is null ? null : Path.Combine(repositoryRoot, "src", "Web"),
        };
    }

    /// <summary>
    /// `Ledger:DataDirectory` when set (a relative path is taken from the working directory, as typed);
    /// else the clone's `./.ledger`, or `./.ledger` under the working directory when installed.
    /// </summary>
    public static string DataDirectory(IConfiguration configuration, string? repositoryRoot) =>
        configuration["Ledger:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(repositoryRoot ?? Directory.GetCurrentDirectory(), DefaultDataDirectory));
}
