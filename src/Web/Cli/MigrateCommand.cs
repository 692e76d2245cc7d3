using JasperFx;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Wolverine.Persistence.Durability;

namespace Ledger.Web.Cli;

/// <summary>
/// `migrate`: creates or updates the database objects the service needs (Marten's event store, documents and
/// functions in `Ledger:Schema`; Wolverine's inbox, outbox and node tables) and says what it changed. The
/// service does the same on its own as it starts and as each document is first used; this command does it
/// ahead of time, e.g. before a deployment whose database user may not create tables, or to see what an
/// upgrade changes. Running it again changes nothing and says so.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    public static async Task<int> RunAsync(WebApplication app, TextWriter output)
    {
        await using (app)
        {
            try
            {
                var store = app.Services.GetRequiredService<IDocumentStore>();
                var databases = new List<(string Name, IDatabase Database)> { ($"event store and documents (schema {store.Options.Events.DatabaseSchemaName})", store.Storage.Database) };
                if (app.Services.GetService<IMessageStore>() is IDatabase messages)
                {
                    databases.Add(("message inbox and outbox (Wolverine)", messages));
                }

                var changed = 0;
                foreach (var (name, database) in databases)
                {
                    var migration = await database.CreateMigrationAsync();
                    var deltas = migration.Deltas.Where(d => d.Difference != SchemaPatchDifference.None).ToList();
                    if (deltas.Count == 0)
                    {
                        await output.WriteLineAsync($"{name}: up to date, nothing to change.");
                        continue;
                    }

                    await database.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate);
                    changed += deltas.Count;
                    foreach (var group in deltas.GroupBy(d => d.Difference == SchemaPatchDifference.Create ? "created" : "updated"))
                    {
                        await output.WriteLineAsync($"{name}: {group.Key} {Describe(group.Select(d => d.SchemaObject).ToList())}");
                    }
                }

                await output.WriteLineAsync(changed == 0 ? "The database is up to date." : $"Migrated: {changed} object(s) created or updated.");
                return 0;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                app.Logger.LogError("Migration failed: {Message}", e.Message);
                return 1;
            }
        }
    }

    /// <summary>`1 schema, 12 tables (mt_streams, …), 27 functions, 1 sequence`: what kinds, and the tables by name.</summary>
    private static string Describe(IReadOnlyList<ISchemaObject> objects) =>
        string.Join(", ", objects.GroupBy(o => Kind(o)).Select(g => g.Key == "table"
            ? $"{g.Count()} table(s) ({string.Join(", ", g.Select(o => o.Identifier.Name))})"
            : $"{g.Count()} {g.Key}(s)"));

    private static string Kind(ISchemaObject schemaObject) => schemaObject.GetType().Name switch
    {
        var type when type.Contains("Schema", StringComparison.Ordinal) => "schema",
        var type when type.Contains("Table", StringComparison.Ordinal) => "table",
        var type when type.Contains("Function", StringComparison.Ordinal) => "function",
        var type when type.Contains("Sequence", StringComparison.Ordinal) => "sequence",
        var type => type.ToLowerInvariant(),
    };
}
