using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ledger.Web.Docs;

/// <summary>
/// The API's OpenAPI document at `/openapi/v1.json` (ASP.NET Core's generator, fed by the endpoint
/// metadata Wolverine publishes) and its reference page at `/docs/api` (Scalar, its script served from
/// the package itself: nothing is fetched from another origin).
/// Both are public, like `/health`: they describe the routes, roles and shapes, which are no secret (the
/// same as docs/api.md's tables), and hold no data; every call made from the page still needs its API key. A
/// deployment that wants them hidden blocks `/openapi` and `/docs` at its proxy.
/// </summary>
public static class ApiReference
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/docs/api";

    public static IServiceCollection AddLedgerApiReference(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer<LedgerDocument>();
            options.AddOperationTransformer<RolesAndProblems>();
            options.AddOperationTransformer<OperationExamples>();
        });

    public static WebApplication MapLedgerApiReference(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(PagePath, options => options
            .WithTitle("Callback Ledger API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument(DocumentName)
            // Scalar's defaults reach other origins (web fonts, a request proxy); the page stays self-contained.
            .DisableDefaultFonts()
            .AddPreferredSecuritySchemes(LedgerDocument.ApiKeyScheme));
        return app;
    }
}
