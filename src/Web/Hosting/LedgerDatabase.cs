namespace Ledger.Web.Hosting;

/// <summary>
/// The database the ledger uses: `ConnectionStrings:Ledger` when set, else its own PostgreSQL under
/// `Ledger:DataDirectory` (default: the clone's `./.ledger`, see <see cref="SourceTree"/>), started on first use and stopped when the host shuts down. Resolved from the
/// final configuration, so hosts built with extra settings (tests, several instances) each get theirs.
/// </summary>
public sealed class LedgerDatabase : IAsyncDisposable
{
    private readonly LocalPostgres? _local;

    public LedgerDatabase(IConfiguration configuration, ILogger<LedgerDatabase> logger)
    {
        var configured = configuration.GetConnectionString("Ledger");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        var dataDirectory = SourceTree.DataDirectory(configuration, SourceTree.RepositoryRoot());
        var binaries = LocalPostgres.FindBinaries(configuration["Ledger:PostgresBinaries"]);
        // Runs once, while the container builds the document store at start-up.
        _local = LocalPostgres.StartAsync(dataDirectory, binDirectory: binaries, progress: step => logger.LogInformation("{Step}", step)).GetAwaiter().GetResult();
        ConnectionString = _local.ConnectionString;
        if (_local.OwnsServer)
        {
            logger.LogInformation("Using the ledger's own PostgreSQL in {Directory} (127.0.0.1:{Port}, database ledger, user ledger, password in ledger.password); it stops when this process ends", dataDirectory, _local.Port);
        }
        else
        {
            logger.LogInformation("Using the PostgreSQL another process runs in {Directory} (127.0.0.1:{Port}, database ledger); it is left running", dataDirectory, _local.Port);
        }
    }

    public string ConnectionString { get; }

    /// <summary>
    /// The same database with connection settings for the hot path: statements that every commit sends
    /// (the append function, the document upserts) are prepared once per connection instead of parsed on
    /// every commit, and a pooled connection is not reset (DISCARD ALL, which would also drop those
    /// prepared statements) each time it goes back to the pool. Explicit settings in the configured
    /// connection string win.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    public bool IsEmbedded => _local is not null;

    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }
    }
}
