using JasperFx;
using JasperFx.Events;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Providers;
using Ledger.Web;
using Ledger.Web.Hosting;
using Ledger.Web.Ingest;
using Ledger.Web.Reconciliation;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);

// No connection string: the ledger runs its own PostgreSQL under Ledger:DataDirectory (CONTRACT.md),
// started by LedgerDatabase when the store is first built. Fail fast, with what to do, when it can't.
if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Ledger")) && CommandNeedsDatabase(args))
{
    try
    {
        LocalPostgres.FindBinaries(builder.Configuration["Ledger:PostgresBinaries"]);
    }
    catch (PostgresBinariesMissingException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

builder.Services.Configure<LedgerOptions>(builder.Configuration.GetSection("Ledger"));
builder.Services.AddSingleton<LedgerDatabase>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(ProviderCatalog.Default());
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger:Ingest").Get<CommitQueueOptions>() ?? new CommitQueueOptions());
builder.Services.AddSingleton<CommitQueue>();
builder.Services.AddSingleton<NonceLedger>();
builder.Services.AddSingleton<CallbackReception>();
var reconciliation = ReconciliationSettings.From(builder.Configuration);
builder.Services.AddSingleton(reconciliation);
builder.Services.AddSingleton(new MessageReconciliationProjection(reconciliation.Zone));
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null); // the ingest path enforces Ledger:MaxBodyBytes itself

builder.Services.AddMarten(services =>
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var options = new StoreOptions();
        options.Connection(LedgerDatabase.Tuned(services.GetRequiredService<LedgerDatabase>().ConnectionString));
        var schema = configuration["Ledger:Schema"] ?? "ledger";
        options.DatabaseSchemaName = schema;
        options.Events.DatabaseSchemaName = schema;
        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
        foreach (var (type, name) in EventNames.Pinned)
        {
            options.Events.MapEventType(type, name);
        }

        options.Schema.For<RawRequestRecord>().DocumentAlias("raw_request");
        options.Schema.For<MessageStatus>().DocumentAlias("message_status");
        options.Projections.Add<MessageStatusProjection>(JasperFx.Events.Projections.ProjectionLifecycle.Inline);

        // Finance reconciliation (docs/architecture.md): per-message rows and quarantined requests by
        // business day, with the filter columns duplicated out of the JSON and indexed together.
        options.Schema.For<MessageReconciliation>().DocumentAlias("message_reconciliation")
            .Duplicate(x => x.Day).Duplicate(x => x.Provider).Duplicate(x => x.Account)
            .Index(x => new { x.Day, x.Provider, x.Account });
        options.Schema.For<RejectedRequest>().DocumentAlias("rejected_request")
            .Duplicate(x => x.Day).Duplicate(x => x.Provider).Duplicate(x => x.Account);
        options.Projections.Add(services.GetRequiredService<MessageReconciliationProjection>(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        options.Projections.Add(new RejectedRequestProjection(services.GetRequiredService<ReconciliationSettings>().Zone),
            JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        return options;
    })
    .UseLightweightSessions()
    .IntegrateWithWolverine();

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    // Handlers and endpoints are generated ahead of time (`build.ps1 codegen` writes Internal/Generated,
    // committed with the code) so start-up compiles nothing; a new endpoint without generated code is
    // still compiled at run time rather than failing.
    opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Auto;
});
builder.Services.AddWolverineHttp();

var app = builder.Build();

WarnAboutUnprotectedProviders(app);
app.MapWolverineEndpoints();

return await app.RunJasperFxCommands(args);

static bool CommandNeedsDatabase(string[] args)
{
    var command = args.FirstOrDefault()?.ToLowerInvariant();
    return command is not ("codegen" or "help" or "?" or "describe" or "version");
}

static void WarnAboutUnprotectedProviders(WebApplication app)
{
    var options = app.Configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions();
    var catalog = app.Services.GetRequiredService<ProviderCatalog>();
    var unprotected = catalog.Names.Where(p => !options.Providers.ContainsKey(p)).Order().ToList();
    if (unprotected.Count > 0)
    {
        app.Logger.LogWarning(
            "Providers with no configured account accept unauthenticated callbacks on their 'default' account: {Providers}. " +
            "Configure Ledger__Providers__{{provider}}__default__Token or AllowedCidrs (or secrets) in production.",
            string.Join(", ", unprotected));
    }
}

public partial class Program;
