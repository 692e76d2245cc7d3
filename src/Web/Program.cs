using Ledger.Storage;
using JasperFx;
using JasperFx.Events;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Providers;
using Ledger.Replay;
using Ledger.Web;
using Ledger.Web.Cli;
using Ledger.Web.Docs;
using Ledger.Web.Health;
using Ledger.Web.Hosting;
using Ledger.Web.Ingest;
using Ledger.Web.Pulls;
using Ledger.Web.Rebuild;
using Ledger.Web.Reconciliation;
using Ledger.Web.Replays;
using Ledger.Web.Security;
using Ledger.Web.Telemetry;
using Ledger.Web.Ui;
using Ledger.Web.Webhooks;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

// Settings (src/Web/appsettings*.json) and data (./.ledger) are the clone's wherever a command is started from.
var builder = WebApplication.CreateBuilder(SourceTree.HostOptions(LedgerCommands.ConfigurationArgs(args), SourceTree.RepositoryRoot()));
if (LedgerCommands.Handles(args))
{
    return await LedgerCommands.RunAsync(args, builder.Configuration, Console.Out, Console.Error);
}

// A generic account whose settings cannot be read would refuse every callback it gets, and an unsigned account
// with no guard would accept anyone's: refuse to start instead, naming each key, before anything else (the
// other checks are in verify-config).
if (ServesCallbacks(args)
    && ConfigurationCheck.StartProblems(builder.Configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions()) is { Count: > 0 } refused)
{
    foreach (var problem in refused)
    {
        Console.Error.WriteLine(problem);
    }

    Console.Error.WriteLine($"{refused.Count} provider setting(s) would refuse every callback or accept anyone's; the service does not start (verify-config lists every configuration problem).");
    return 3;
}

// No connection string: the ledger runs its own PostgreSQL under Ledger:DataDirectory (docs/operations.md),
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
builder.Services.Configure<HealthOptions>(builder.Configuration.GetSection("Ledger:Health"));
builder.Services.AddLedgerConfigurationCheck(builder.Configuration);
builder.AddLedgerTelemetry().AddLedgerLogging();
builder.Services.AddSingleton<LedgerDatabase>();
builder.Services.AddSingleton(TimeProvider.System);
// The adapters found in the Ledger assembly, plus any IProviderAdapter registered as a service (tests add a
// deliberately buggy provider this way to exercise replay).
builder.Services.AddSingleton(services =>
{
    var discovered = ProviderCatalog.Default();
    return new ProviderCatalog(discovered.Names.Select(n => discovered.Find(n)!).Concat(services.GetServices<IProviderAdapter>()));
});
builder.Services.AddSingleton<AccountLookup>(services =>
{
    var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<LedgerOptions>>();
    return (provider, account) => options.CurrentValue.Account(provider, account);
});
builder.Services.AddSingleton<ReplayRunner>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger:Ingest").Get<CommitQueueOptions>() ?? new CommitQueueOptions());
builder.Services.AddSingleton<CommitQueue>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger:Retention").Get<Ledger.Web.Retention.RetentionOptions>() ?? new Ledger.Web.Retention.RetentionOptions());
builder.Services.AddSingleton<Ledger.Web.Retention.StreamArchiver>();
builder.Services.AddHostedService(services => services.GetRequiredService<Ledger.Web.Retention.StreamArchiver>());
builder.Services.AddSingleton<Ledger.Web.Retention.Housekeeping>();
builder.Services.AddHostedService(services => services.GetRequiredService<Ledger.Web.Retention.Housekeeping>());
var webhooks = builder.Configuration.ReadWebhookOptions();
builder.Services.AddLedgerWebhooks(webhooks);
builder.Services.AddSingleton<NonceLedger>();
builder.Services.AddSingleton<CallbackReception>();
var reconciliation = ReconciliationSettings.From(builder.Configuration);
builder.Services.AddSingleton(reconciliation);
builder.Services.AddSingleton(new MessageProjection(reconciliation.Zone));
builder.Services.AddSingleton(new RejectedRequestProjection(reconciliation.Zone));
builder.Services.AddSingleton(new ReplyProjection());
builder.Services.AddSingleton(Ledger.Replies.UnsubscribeKeywords.From(builder.Configuration.GetSection("Ledger:Replies").Get<Ledger.Replies.ReplyOptions>()));
builder.Services.AddSingleton<IStreamAppender, InlineAppender>();
builder.Services.AddLedgerPulls(builder.Configuration);
builder.Services.AddSingleton<ApiKeys>();
// Kestrel runs a connection's continuations on its socket thread instead of queueing each to the thread
// pool: on 2 cores those hops (wake-ups, context switches, spinning) cost the service more CPU than the
// requests did. Only Kestrel's transport: PostgreSQL completions stay on the pool (inlining every socket,
// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS, stalled requests for 17 s under load). Nothing on the
// request path blocks; Ledger:InlineScheduling=false turns it off.
builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = builder.Configuration.GetValue("Ledger:InlineScheduling", true));
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = null; // the ingest path enforces Ledger:MaxBodyBytes itself, and records what it refuses
    k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10); // slow senders: headers must arrive within 10 s
    k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
    // A body must keep arriving at 240 B/s after a 5 s grace (Kestrel's default, stated here on purpose).
    k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, TimeSpan.FromSeconds(5));
});
builder.Services.AddCompressedBodies();
builder.Services.AddSourceRateLimit(builder.Configuration.GetSection("Ledger:RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions());

// The read endpoints' reader of message documents, on a multiplexed pool of its own (one singleton: Wolverine injects it).
builder.Services.AddSingleton<Ledger.Web.Messages.MessageDocuments>();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, Ledger.Web.Messages.MessageJson.Default));

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
        // Stored JSON leaves out null members: every report is stored in several documents and events, and
        // about a fifth of their JSON was nulls (PostgreSQL's cost per report follows the bytes written;
        // a history over ~2 kB is also compressed on write and decompressed on every read). Absent reads
        // back as null, in Marten's queries (`->>` gives NULL) and in the read API's JSON alike.
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString,
            configure: json => json.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
        foreach (var (type, name) in EventNames.Pinned)
        {
            options.Events.MapEventType(type, name);
        }

        options.Schema.For<RawRequestRecord>().DocumentAlias("raw_request");
        // One document per message (status, history entries, finance fields), indexed only for the documented
        // queries: search by phone digits and by our own reference, and finance's totals by business day,
        // provider and account (columns duplicated out of the JSON, indexed together). A search always names
        // a phone or a reference, so its newest-first order sorts the few rows those indexes find: no index
        // on the first receipt. No index on the entries: the audit view finds a request's messages by the
        // stream keys its raw record names.
        options.Schema.For<Message>().DocumentAlias("message")
            .Index(x => x.PhoneDigits).Index(x => x.OutId)
            .Duplicate(x => x.Day).Duplicate(x => x.Provider).Duplicate(x => x.Account)
            .Index(x => new { x.Day, x.Provider, x.Account });
        options.Schema.For<RawRequestRecord>().Index(x => x.ReceivedAt);
        options.Schema.For<ReplayJob>().DocumentAlias("replay_job");
        options.Schema.For<ReplayDifference>().DocumentAlias("replay_difference").Index(x => x.ReplayId);
        options.Schema.For<RejectedRequest>().DocumentAlias("rejected_request")
            .Duplicate(x => x.Day).Duplicate(x => x.Provider).Duplicate(x => x.Account);
        options.Projections.Add(services.GetRequiredService<MessageProjection>(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        options.Projections.Add(services.GetRequiredService<RejectedRequestProjection>(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        // Replies from phones (docs/rules.md rule 11): indexed for `GET /replies` and phone search only.
        options.Schema.For<Reply>().DocumentAlias("reply").Index(x => x.PhoneDigits).Index(x => x.ReceivedAt);
        options.Projections.Add(services.GetRequiredService<ReplyProjection>(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);

        // Marten also indexes each duplicated column by itself; every finance query filters on a day range
        // first (then provider, account), which the composite index serves, so those three only cost
        // writes: three more index entries per report. Removed from the mapping before any DDL is made, and
        // after the projections are added (resolving the mapping earlier fixes it without their numeric versions).
        var messages = (Marten.Schema.DocumentMapping)((IReadOnlyStoreOptions)options).FindOrResolveDocumentType(typeof(Message));
        foreach (var single in messages.Indexes.OfType<Marten.Schema.DocumentIndex>().Where(i => i.Columns is ["day" or "provider" or "account"]).ToList())
        {
            messages.Indexes.Remove(single);
        }

        return options;
    })
    .UseLightweightSessions()
    .IntegrateWithWolverine();

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    opts.ConfigureLedgerWebhooks(webhooks);
    // Handlers and endpoints are generated ahead of time (`build.ps1 codegen` writes Internal/Generated,
    // committed with the code) so start-up compiles nothing; a new endpoint without generated code is
    // still compiled at run time rather than failing.
    opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Auto;

    // Replays run in the background from a durable local queue, one at a time: a job survives a
    // restart (the inbox hands its message back) and two replays never race on the same streams.
    opts.PublishMessage<RunReplay>().ToLocalQueue("replays");
    opts.LocalQueue("replays").UseDurableInbox().Sequential();
    opts.ConfigureLedgerPulls();
});
builder.Services.AddWolverineHttp();
builder.Services.AddLedgerApiReference();

var app = builder.Build();

if (args.FirstOrDefault()?.Equals("rebuild", StringComparison.OrdinalIgnoreCase) == true)
{
    return await ProjectionRebuild.RunCommandAsync(app);
}

if (args.FirstOrDefault()?.Equals(MigrateCommand.Name, StringComparison.OrdinalIgnoreCase) == true)
{
    // `migrate`: the schema created or updated ahead of time, and what changed said (Cli/MigrateCommand.cs).
    return await MigrateCommand.RunAsync(app, Console.Out);
}

if (args.FirstOrDefault()?.Equals(ReplayCommand.Name, StringComparison.OrdinalIgnoreCase) == true)
{
    // `replay …` runs in this process and exits; it needs the store, not the web host.
    await using (app)
    {
        return await ReplayCommand.RunAsync(app.Services, LedgerCommands.CommandArgs(args)[1..]);
    }
}

if (args.FirstOrDefault()?.Equals(PullCommand.Name, StringComparison.OrdinalIgnoreCase) == true)
{
    await using (app)
    {
        return await PullCommand.RunAsync(app.Services, args[1..]);
    }
}

WarnAboutUnprotectedProviders(app);
// First: everything after it (allowlists, rate limit, raw records, the loopback-only API) sees the client's address.
app.UseTrustedProxies(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value.TrustedProxies);
// Only callbacks are limited (SourceRateLimit partitions nothing else), so only they go through the
// limiter: the read API skipped a partition lookup under a lock and a lease on every request.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/callbacks"), callbacks => callbacks.UseRateLimiter());
// gzip/deflate/br callback bodies decoded for the adapters, the wire bytes kept for the raw record.
app.UseCompressedBodies();
if (app.Services.GetRequiredService<ApiKeys>().None)
{
    app.Logger.LogWarning(
        "No API keys are configured (Ledger__ApiKeys__<name>__Key and __Role): the read and admin API answers loopback callers only. Ingest is unaffected.");
}

app.UseLedgerUi();
app.UseMiddleware<ApiKeyGate>();
app.MapWolverineEndpoints();
app.MapLedgerMetrics();
app.MapLedgerApiReference();

return await app.RunJasperFxCommands(LedgerCommands.CommandArgs(args));

static bool ServesCallbacks(string[] args)
{
    var command = args.FirstOrDefault();
    return command is null || command.StartsWith('-') || command.Equals("run", StringComparison.OrdinalIgnoreCase);
}

static bool CommandNeedsDatabase(string[] args)
{
    var command = args.FirstOrDefault()?.ToLowerInvariant();
    return command is not ("codegen" or "help" or "?" or "describe" or "version");
}

static void WarnAboutUnprotectedProviders(WebApplication app)
{
    var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value;
    var providers = app.Services.GetRequiredService<ProviderCatalog>().Names.ToList();
    if (ConfigurationCheck.OpenAccounts(options, providers) is { Count: > 0 } open)
    {
        app.Logger.LogWarning(
            "These provider accounts accept callbacks from anyone, unverified, as configured (AllowUnauthenticated=true): {Accounts}.",
            string.Join(", ", open));
    }

    if (ConfigurationCheck.LoopbackOnly(options, providers) is { Count: > 0 } local)
    {
        app.Logger.LogInformation(
            "No account is configured for {Providers}: their default account takes callbacks from this machine only, until it has a " +
            "Ledger__Providers__<provider>__default__Token or AllowedCidrs.",
            string.Join(", ", local));
    }

    if (ConfigurationCheck.ClosedUntilConfigured(options, providers) is { Count: > 0 } closed)
    {
        app.Logger.LogInformation(
            "No account is configured for {Providers}: they sign their callbacks, so they refuse every callback until their secrets are set (Ledger__Providers__<provider>__<account>__Secrets__0).",
            string.Join(", ", closed));
    }
}

public partial class Program;
