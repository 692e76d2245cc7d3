using Ledger.Web.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Web.Docs;

/// <summary>
/// What the generator cannot see: the `X-Api-Key` scheme, the problem-details shape every refusal uses
/// (RFC 9457), and `GET /metrics`, which the Prometheus exporter maps as a bare request delegate.
/// </summary>
public sealed class LedgerDocument : IOpenApiDocumentTransformer
{
    public const string ApiKeyScheme = "ApiKey";
    public const string ProblemSchema = "ProblemDetails";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Callback Ledger";
        document.Info.Description =
            "Receives SMS delivery-status callbacks (`/callbacks/…`, called by the providers, no key) and answers " +
            "the read and admin API, which needs an `X-Api-Key` header of the role each operation names " +
            "(`support`, `finance`, `admin`; admin passes every check). With no key configured the read API " +
            "answers loopback callers only. Errors are `application/problem+json`.";
        document.AddComponent(ApiKeyScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyGate.Header,
            Description = "A key configured as `Ledger__ApiKeys__{name}__Key`, with its role in `Ledger__ApiKeys__{name}__Role`.",
        });
        document.AddComponent<IOpenApiSchema>(ProblemSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details; `detail` says what to do, `requestId` (refused callbacks) names the kept raw request.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["requestId"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            },
        });

        // The generator tags operations by endpoint class and describes IResult; RolesAndProblems tags by area.
        document.Components!.Schemas?.Remove("IResult");
        document.Tags = new HashSet<OpenApiTag>(
            new[] { "Ingest", "Messages", "Audit", "Replays", "Reconciliation", "Webhooks", "Operations" }.Select(name => new OpenApiTag { Name = name }));

        document.Paths ??= [];
        if (!document.Paths.ContainsKey("/metrics"))
        {
            document.Paths["/metrics"] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Get] = new()
                    {
                        OperationId = "GET_metrics",
                        Summary = "Metrics in the Prometheus text format (no key).",
                        Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
                        Responses = new OpenApiResponses
                        {
                            ["200"] = new OpenApiResponse
                            {
                                Description = "The Prometheus exposition text.",
                                Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                            },
                        },
                    },
                },
            };
        }

        return Task.CompletedTask;
    }
}
