using Ledger.Ingest;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Web.Telemetry;

/// <summary>
/// Metrics (the `Ledger` meter and ASP.NET Core's, scraped at `GET /metrics`), traces (ASP.NET Core,
/// Npgsql, Marten, Wolverine; exported over OTLP only when an endpoint is configured: by default nothing
/// leaves the process) and logs (readable console lines; JSON lines with `Ledger:Logging:Json`).
/// </summary>
public static class LedgerTelemetry
{
    public const string ServiceName = "callback-ledger";

    /// <summary>The standard OpenTelemetry variable, honoured by the OTLP exporter itself.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LedgerMetrics>();
        var configuration = builder.Configuration;
        var standardOtlp = configuration[OtlpEndpointVariable];
        var ledgerOtlp = configuration["Ledger:Telemetry:OtlpEndpoint"];
        var exportTraces = !string.IsNullOrWhiteSpace(standardOtlp) || !string.IsNullOrWhiteSpace(ledgerOtlp);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LedgerMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    // No scrape cache: a scrape right after a callback shows it (tests and dashboards agree).
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (exportTraces)
                {
                    metrics.AddOtlpExporter(o => UseLedgerEndpoint(o, standardOtlp, ledgerOtlp));
                }
            });

        // Without an exporter, spans would be built for nobody: tracing is on only when it goes somewhere.
        if (exportTraces)
        {
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics")
                    && !http.Request.Path.StartsWithSegments("/health"))
                .AddSource("Npgsql", "Marten", "Wolverine")
                .AddOtlpExporter(o => UseLedgerEndpoint(o, standardOtlp, ledgerOtlp)));
        }

        return builder;
    }

    /// <summary>
    /// Console lines a person reads (time, level, category, message, one line each) by default;
    /// `Ledger:Logging:Json=true` (`Ledger__Logging__Json`) writes one JSON object per line, scopes included,
    /// for a log collector.
    /// </summary>
    public static WebApplicationBuilder AddLedgerLogging(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue("Ledger:Logging:Json", false))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        // ASP.NET Core's per-request lines print the query string: Vonage pushes the phone number there,
        // and unsigned providers call `?token=`. Keep them out of the logs; the metrics count requests.
        // Off entirely (it logs nothing above Information anyway): while this category is on at any level,
        // ASP.NET Core starts an Activity and a log scope for every request in case something logs, a
        // third of a read's allocations, and that scope holds the raw path, where an Alibaba message key
        // carries the phone number. Ingest logs carry their own scope (the request id of the raw record);
        // with OTLP tracing on, the Activity is still started for the exporter.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // Marten's Debug lines carry SQL parameters (an Alibaba message key is `{biz_id}:{phone}`), and its
        // Information lines on a first start are whole schema scripts: a newcomer's console showed pages of
        // DDL. Its warnings and errors still show; the ledger says itself when it creates the tables.
        builder.Logging.AddFilter("Marten", LogLevel.Warning);
        return builder;
    }

    public static WebApplication MapLedgerMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static void UseLedgerEndpoint(OpenTelemetry.Exporter.OtlpExporterOptions options, string? standard, string? ledger)
    {
        // The standard variable (and OTEL_EXPORTER_OTLP_PROTOCOL) is read by the exporter itself.
        if (string.IsNullOrWhiteSpace(standard) && !string.IsNullOrWhiteSpace(ledger))
        {
            options.Endpoint = new Uri(ledger);
        }
    }
}
