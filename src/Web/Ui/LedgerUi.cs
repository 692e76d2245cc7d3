using Microsoft.AspNetCore.StaticFiles;

namespace Ledger.Web.Ui;

/// <summary>
/// The web UI: plain HTML, JS modules and CSS from wwwroot/ui, served by the service itself under `/ui`
/// (no separate server, nothing fetched from elsewhere). Every `/ui` response carries a self-only
/// Content-Security-Policy and the usual hardening headers; the pages call the same API with the same
/// `X-Api-Key` as any other client, so roles apply unchanged.
/// </summary>
public static class LedgerUi
{
    public const string Path = "/ui";

    /// <summary>Self only: no inline script or style, no other origin for scripts, styles, fonts, images or fetches.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseLedgerUi(this WebApplication app)
    {
        // A branch of its own: every API request passed through three middlewares (headers, default
        // document, static files) that each checked the path and did nothing; now one check.
        var files = UiFiles(app);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), ui =>
        {
            ui.Use((context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
                // `/ui` → `/ui/`: the default document is served for the folder only.
                if (context.Request.Path.Value == Path)
                {
                    context.Response.Redirect(Path + "/" + context.Request.QueryString);
                    return Task.CompletedTask;
                }

                return next(context);
            });
            ui.UseDefaultFiles(new DefaultFilesOptions { RequestPath = Path, FileProvider = files });
            ui.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = Path,
                FileProvider = files,
                ContentTypeProvider = new FileExtensionContentTypeProvider(),
                // Text is UTF-8 everywhere (Chinese descriptions, error messages): say so in the header too.
                OnPrepareResponse = ctx =>
                {
                    var type = ctx.Context.Response.ContentType;
                    if (type is not null && (type.StartsWith("text/", StringComparison.Ordinal) || type.Contains("javascript", StringComparison.Ordinal))
                        && !type.Contains("charset", StringComparison.OrdinalIgnoreCase))
                    {
                        ctx.Context.Response.ContentType = type + "; charset=utf-8";
                    }
                },
            });
        });
        return app;
    }

    /// <summary>
    /// The UI's files travel with the binaries (copied to the output folder), so the service serves them
    /// whatever directory it is started from; the project's own wwwroot is the fallback under `dotnet run`.
    /// </summary>
    private static Microsoft.Extensions.FileProviders.IFileProvider UiFiles(WebApplication app)
    {
        var candidates = new[]
        {
            System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "ui"),
            System.IO.Path.Combine(app.Environment.WebRootPath ?? System.IO.Path.Combine(app.Environment.ContentRootPath, "wwwroot"), "ui"),
        };
        var folder = candidates.FirstOrDefault(Directory.Exists) ?? candidates[0];
        return new Microsoft.Extensions.FileProviders.PhysicalFileProvider(folder);
    }
}
