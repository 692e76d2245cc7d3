using Ledger.Projections;
using Marten;

namespace Ledger.Web.Rebuild;

/// <summary>
/// `rebuild`: every projection recomputed from the events (after a projection fix, or to prove the
/// documents are derived data). Inline projections rebuild through the projection daemon like async ones.
/// Run it while no callbacks are arriving: an append during the rebuild is applied inline and then
/// possibly again by the rebuild, leaving its documents wrong until the next rebuild.
/// </summary>
public static class ProjectionRebuild
{
    public static async Task RunAsync(IDocumentStore store, ILogger logger, CancellationToken ct)
    {
        // The daemon reads live events only: archived (retention) streams come back for the rebuild, so
        // their documents are rebuilt too instead of dropped, and are archived again afterwards.
        var archive = new ArchiveWriter(store);
        var archived = await archive.RestoreAllAsync(ct);
        using var daemon = await store.BuildProjectionDaemonAsync();
        // One document per message (status, history, finance fields); also what turns a store of an earlier
        // build (three documents per message) into the current shape.
        logger.LogInformation("Rebuilding {Projection}", nameof(Message));
        await daemon.RebuildProjectionAsync<MessageProjection>(ct);
        logger.LogInformation("Rebuilding {Projection}", nameof(RejectedRequest));
        await daemon.RebuildProjectionAsync<RejectedRequestProjection>(ct);
        logger.LogInformation("Rebuilding {Projection}", nameof(Reply));
        await daemon.RebuildProjectionAsync<ReplyProjection>(ct);
        await archive.ArchiveAgainAsync(archived, ct);
        logger.LogInformation("Projections rebuilt");
    }

    private static async Task<bool> HasEventStoreAsync(IDocumentStore store)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "select to_regclass(@table) is not null";
        command.Parameters.AddWithValue("table", $"\"{store.Options.Events.DatabaseSchemaName}\".mt_streams");
        return await command.ExecuteScalarAsync() is true;
    }

    /// <summary>The command line form: `Ledger.Web rebuild` (exit code 0 when done).</summary>
    public static async Task<int> RunCommandAsync(WebApplication app)
    {
        await using (app)
        {
            try
            {
                var store = app.Services.GetRequiredService<IDocumentStore>();
                if (!await HasEventStoreAsync(store))
                {
                    // A database the service never started on (or another one than it uses): nothing to
                    // rebuild, and creating its tables here would only hide which database this is.
                    app.Logger.LogWarning("Nothing to rebuild: this database has no event store in schema {Schema} yet; start the service on it first",
                        store.Options.Events.DatabaseSchemaName);
                    return 1;
                }

                await RunAsync(store, app.Logger, CancellationToken.None);
                return 0;
            }
            catch (Exception e)
            {
                app.Logger.LogError(e, "Rebuild failed");
                return 1;
            }
        }
    }
}
