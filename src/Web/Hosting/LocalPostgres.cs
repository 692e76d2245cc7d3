using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Ledger.Web.Hosting;

/// <summary>The PostgreSQL server binaries were not found; the message says what to install or set.</summary>
public sealed class PostgresBinariesMissingException(string message) : Exception(message);

/// <summary>
/// A PostgreSQL cluster the ledger manages itself when no connection string is configured: created on
/// first use under a data directory, reused (with its data) later, listening on loopback only with a
/// generated password. The server refuses to run as root, so as root the binaries run as the `postgres`
/// user.
/// <para>
/// Dispose stops the server only when no one else still uses it: a process that finds the server already
/// running under a live owner (a command such as `check-env` or `replay` beside the service) only attaches,
/// and leaves it running. The owner is named in `owner.pid`, attachers in `attached/`; an owner that goes
/// while others are attached hands the server to one of them, and a server whose owner died (killed) is
/// adopted by the next process that finds it.
/// </para>
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private const string Database = "ledger";

    /// <summary>The role the service connects as: owner of its database, not a superuser.</summary>
    public const string AppRole = "ledger";

    /// <summary>What the ledger keeps in its data directory; anything else there means the directory is someone else's.</summary>
    private static readonly string[] OwnEntries = ["pgdata", "superuser.password", "ledger.password", "postgres.log", "owner.pid", "attached"];
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asPostgresUser;

    /// <summary>This instance in `owner.pid` and `attached/`: the process id (liveness), then a token of its own.</summary>
    private readonly string _identity = $"{Environment.ProcessId} {Guid.NewGuid():N}";

    private LocalPostgres(string bin, string root, int port, string password, string appPassword)
    {
        _bin = bin;
        _root = root;
        _asPostgresUser = Environment.UserName == "root";
        Port = port;
        Password = password;
        AppPassword = appPassword;
    }

    public int Port { get; private set; }

    private string Password { get; }

    private string AppPassword { get; }

    public string ClusterDirectory => System.IO.Path.Combine(_root, "pgdata");

    /// <summary>The service's connection: its database, as <see cref="AppRole"/> (it owns what it creates, and nothing else).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(ConnectionStringFor(Database)) { Username = AppRole, Password = AppPassword }.ConnectionString;

    /// <summary>As the cluster's superuser: for creating databases and roles (and tests that plant rows), never the service's.</summary>
    public string SuperuserConnectionString => ConnectionStringFor(Database);

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = database,
        MaxPoolSize = 100,
    }.ConnectionString;

    /// <summary>
    /// Where the server binaries are: the configured directory when one is given (and only there),
    /// else `PATH`, then the newest `/usr/lib/postgresql/*/bin`.
    /// </summary>
    public static string FindBinaries(string? configured = null)
    {
        var candidates = configured is not null
            ? new List<string> { configured }
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (configured is null && Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(System.IO.Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => System.IO.Path.Combine(d, "bin")));
        }

        foreach (var dir in candidates)
        {
            var initdb = System.IO.Path.Combine(dir, "initdb");
            if (File.Exists(initdb) && File.Exists(System.IO.Path.Combine(dir, "pg_ctl")))
            {
                // Some images link initdb/pg_ctl into /usr/local/bin; the rest of the tools (pgbench,
                // postgres) live beside the link's target.
                var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return System.IO.Path.GetDirectoryName(target)!;
            }
        }

        throw new PostgresBinariesMissingException(
            "No PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under /usr/lib/postgresql/*/bin. " +
            "Install them (Debian/Ubuntu: `apt-get install -y postgresql`), point Ledger__PostgresBinaries at their directory, " +
            "or set ConnectionStrings__Ledger to an existing PostgreSQL database.");
    }

    /// <summary>
    /// Creates the cluster under <paramref name="dataDirectory"/> if needed, starts it, and creates the
    /// database; <paramref name="progress"/> hears of each slow step (the first start's take seconds).
    /// </summary>
    public static async Task<LocalPostgres> StartAsync(string dataDirectory, bool durable = true, string? binDirectory = null,
        CancellationToken ct = default, Action<string>? progress = null)
    {
        var bin = binDirectory ?? FindBinaries();
        var root = System.IO.Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        if (Directory.EnumerateFileSystemEntries(root).Select(System.IO.Path.GetFileName).FirstOrDefault(e => !OwnEntries.Contains(e)) is { } foreign)
        {
            throw new InvalidOperationException(
                $"The data directory {root} holds '{foreign}', which is not the ledger's: give Ledger__DataDirectory an empty directory or one the ledger created.");
        }

        var passwordFile = System.IO.Path.Combine(root, "superuser.password");
        var pg = new LocalPostgres(bin, root, 0, await ReadOrCreatePasswordAsync(passwordFile, ct),
            await ReadOrCreatePasswordAsync(System.IO.Path.Combine(root, "ledger.password"), ct));

        if (pg._asPostgresUser)
        {
            // Only what the ledger made: the directory itself, the superuser's password file (initdb reads it as
            // postgres) and the cluster; never recursively through whatever else a mistyped path names.
            await RunAsync("chown", ["postgres:postgres", root, passwordFile], ct);
            if (File.Exists(System.IO.Path.Combine(pg.ClusterDirectory, "PG_VERSION")))
            {
                await RunAsync("chown", ["-R", "postgres:postgres", pg.ClusterDirectory], ct);
            }
        }

        if (!File.Exists(System.IO.Path.Combine(pg.ClusterDirectory, "PG_VERSION")))
        {
            progress?.Invoke($"Creating the local database cluster in {pg.ClusterDirectory} (first start only)…");
            await pg.InitAsync(passwordFile, ct);
        }

        var running = pg.RunningPort();
        if (running is { } port)
        {
            pg.Port = port;
            if (ProcessLives(await pg.ReadOwnerAsync(ct)))
            {
                pg.Attach(); // a live process started it (the service): use it, leave it running
            }
            else
            {
                await pg.TakeOwnershipAsync(ct); // left running by a process that was killed: adopt it
            }
        }
        else
        {
            pg.Port = FreePort();
            progress?.Invoke($"Starting PostgreSQL on 127.0.0.1:{pg.Port}…");
            await pg.PgCtlAsync(["start", "-w", "-t", "60", "-l", System.IO.Path.Combine(root, "postgres.log"), "-o", ServerOptions(pg.Port, durable)], ct);
            await pg.TakeOwnershipAsync(ct);
        }

        if (await pg.EnsureDatabaseAsync(Database, ct))
        {
            progress?.Invoke($"Created the database '{Database}'; creating its tables as the service starts (first start only)…");
        }

        return pg;
    }

    /// <summary>
    /// The database, owned by <see cref="AppRole"/> (created with its password if needed). A database an earlier
    /// build created as the superuser is handed over: it and every object in it get the app role as owner.
    /// </summary>
    /// <returns>Whether the database was created now.</returns>
    public async Task<bool> EnsureDatabaseAsync(string name, CancellationToken ct = default)
    {
        var quoted = $"\"{name.Replace("\"", "\"\"")}\"";
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(ct);
        await using (var role = new NpgsqlCommand(
            $"do $$ begin if not exists (select 1 from pg_roles where rolname = '{AppRole}') then create role {AppRole} login nosuperuser nocreaterole nocreatedb; end if; end $$; " +
            $"alter role {AppRole} password '{AppPassword}'", connection))
        {
            await role.ExecuteNonQueryAsync(ct);
        }

        await using var exists = new NpgsqlCommand("select pg_get_userbyid(datdba) from pg_database where datname = @n", connection);
        exists.Parameters.AddWithValue("n", name);
        var owner = await exists.ExecuteScalarAsync(ct) as string;
        if (owner is null)
        {
            await using var create = new NpgsqlCommand($"create database {quoted} owner {AppRole}", connection);
            await create.ExecuteNonQueryAsync(ct);
            return true;
        }

        if (owner != AppRole)
        {
            await using var alter = new NpgsqlCommand($"alter database {quoted} owner to {AppRole}", connection);
            await alter.ExecuteNonQueryAsync(ct);
            await using var inDatabase = new NpgsqlConnection(ConnectionStringFor(name));
            await inDatabase.OpenAsync(ct);
            await using var handOver = new NpgsqlCommand(HandOverSql, inDatabase);
            await handOver.ExecuteNonQueryAsync(ct);
        }

        return false;
    }

    /// <summary>Every schema, table, sequence, view and function of the database's own schemas to the app role.</summary>
    private static readonly string HandOverSql = $$"""
        do $$ declare r record; begin
          for r in select nspname from pg_namespace where nspname not like 'pg\_%' and nspname not in ('information_schema', 'public') loop
            execute format('alter schema %I owner to {{AppRole}}', r.nspname);
          end loop;
          for r in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname not like 'pg\_%' and n.nspname <> 'information_schema' and c.relkind in ('r', 'p', 'S', 'v', 'm', 'f') loop
            execute format('alter table %s owner to {{AppRole}}', r.name);
          end loop;
          for r in select p.oid::regprocedure as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                   where n.nspname not like 'pg\_%' and n.nspname <> 'information_schema' loop
            execute format('alter routine %s owner to {{AppRole}}', r.name);
          end loop;
        end $$
        """;

    public async Task StopAsync(CancellationToken ct = default)
    {
        if (RunningPort() is not null)
        {
            await PgCtlAsync(["stop", "-m", "fast", "-w", "-t", "60"], ct);
        }
    }

    /// <summary>Starts the cluster again on the port it had (after <see cref="StopAsync"/>).</summary>
    public Task RestartAsync(bool durable = true, CancellationToken ct = default)
    {
        return PgCtlAsync(["start", "-w", "-t", "60", "-l", System.IO.Path.Combine(_root, "postgres.log"), "-o", ServerOptions(Port, durable)], ct);
    }

    /// <summary>
    /// The server's settings. A durable cluster (the service's own) gets a quarter of the machine's memory for
    /// its buffer cache, as PostgreSQL's documentation suggests for a dedicated server, between 128 MB (the
    /// server's default) and 2 GB: with the default, a store of a million messages is read mostly through the
    /// operating system's cache, a system call per page. A throwaway cluster (tests) keeps the defaults and
    /// trades durability for speed. `max_wal_size` 4 GB (PostgreSQL's default is 1 GB): a report writes about
    /// 3.3 kB of WAL (measured), so batches at 20,000 reports/s forced a checkpoint every several seconds with
    /// the default, and after each one the next write of every page logs it whole (measured on the bench's
    /// batches: about 5 % more reports/s, p95 lower).
    /// </summary>
    internal static string ServerOptions(int port, bool durable)
    {
        var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200";
        if (!durable)
        {
            return options + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        var quarter = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 / (1024 * 1024);
        return options + $" -c shared_buffers={Math.Clamp(quarter, 128, 2048)}MB -c max_wal_size=4GB";
    }

    /// <summary>Delete the cluster's directory when disposed (throwaway clusters of tests and the benchmark).</summary>
    public bool DeleteOnDispose { get; set; }

    /// <summary>Whether this instance would stop the server on dispose: it started or adopted it, and nobody else is attached.</summary>
    public bool OwnsServer => ReadOwner() == _identity;

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(AttachedFile(_identity)))
        {
            File.Delete(AttachedFile(_identity));
        }

        if (OwnsServer)
        {
            if (LiveAttachers().FirstOrDefault() is { } heir)
            {
                await File.WriteAllTextAsync(OwnerFile, heir); // still in use: the next one stops it
            }
            else
            {
                try
                {
                    await StopAsync();
                    File.Delete(OwnerFile);
                }
                catch (Exception)
                {
                    // Shutting down: the server may already be gone. Nothing else to do.
                }
            }
        }

        if (DeleteOnDispose)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind under the temp directory: harmless.
            }
        }
    }

    private string OwnerFile => System.IO.Path.Combine(_root, "owner.pid");

    private string AttachedFile(string identity) =>
        System.IO.Path.Combine(_root, "attached", identity.Replace(' ', '-'));

    private async Task TakeOwnershipAsync(CancellationToken ct) => await File.WriteAllTextAsync(OwnerFile, _identity, ct);

    private async Task<string?> ReadOwnerAsync(CancellationToken ct) =>
        File.Exists(OwnerFile) ? (await File.ReadAllTextAsync(OwnerFile, ct)).Trim() : null;

    private string? ReadOwner() => File.Exists(OwnerFile) ? File.ReadAllText(OwnerFile).Trim() : null;

    private void Attach()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(AttachedFile(_identity))!);
        File.WriteAllText(AttachedFile(_identity), _identity);
    }

    /// <summary>The identities of attached instances whose process still runs (a dead one's file is removed).</summary>
    private IEnumerable<string> LiveAttachers()
    {
        var folder = System.IO.Path.Combine(_root, "attached");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.GetFiles(folder))
        {
            var identity = File.ReadAllText(file).Trim();
            if (ProcessLives(identity))
            {
                yield return identity;
            }
            else
            {
                File.Delete(file);
            }
        }
    }

    private static bool ProcessLives(string? identity)
    {
        if (identity is null || !int.TryParse(identity.Split(' ')[0], out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task InitAsync(string passwordFile, CancellationToken ct)
    {
        await RunToolAsync("initdb", [
            "-D", ClusterDirectory, "-U", "postgres", "--pwfile", passwordFile, "-E", "UTF8", "--locale=C",
            "--auth-host=scram-sha-256", "--auth-local=peer",
        ], ct);
    }

    /// <summary>The port of a server already running on this cluster, from its postmaster.pid.</summary>
    private int? RunningPort()
    {
        var pidFile = System.IO.Path.Combine(ClusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port))
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : port;
        }
        catch (ArgumentException)
        {
            return null; // stale pid file from a crash; pg_ctl start handles it
        }
    }

    private Task PgCtlAsync(string[] args, CancellationToken ct) =>
        RunToolAsync("pg_ctl", ["-D", ClusterDirectory, .. args], ct);

    private Task RunToolAsync(string tool, string[] args, CancellationToken ct)
    {
        var path = System.IO.Path.Combine(_bin, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args], ct)
            : RunAsync(path, args, ct);
    }

    private static async Task RunAsync(string file, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}");
        // pg_ctl start leaves the server running with our pipes inherited; don't wait for EOF on them.
        var stderrTask = process.StandardError.ReadToEndAsync(ct);
        var stdoutTask = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            var stderr = await Task.WhenAny(stderrTask, Task.Delay(1000, ct)) == stderrTask ? await stderrTask : "";
            var stdout = await Task.WhenAny(stdoutTask, Task.Delay(200, ct)) == stdoutTask ? await stdoutTask : "";
            throw new InvalidOperationException($"{System.IO.Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}{stdout}".Trim());
        }
    }

    private static async Task<string> ReadOrCreatePasswordAsync(string file, CancellationToken ct)
    {
        if (File.Exists(file))
        {
            return (await File.ReadAllTextAsync(file, ct)).Trim();
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        // Readable by its owner only from the moment it exists (not written first and narrowed after).
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(file, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(password + "\n");
        }

        return password;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
