using Ledger.Web.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Web.Docs;

/// <summary>
/// Per operation: the role from its <see cref="RequiresRoleAttribute"/> (in the description and as the
/// `X-Api-Key` security requirement) and the problem-details responses <see cref="ApiKeyGate"/> and the
/// endpoints answer. Endpoints without a role (ingest, health) carry no security requirement.
/// </summary>
public sealed class RolesAndProblems : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var role = metadata.OfType<RequiresRoleAttribute>().FirstOrDefault()?.Role;
        var path = "/" + context.Description.RelativePath?.TrimStart('/');
        var method = context.Description.HttpMethod ?? "GET";
        operation.Responses ??= [];
        operation.Tags = new HashSet<OpenApiTagReference> { new(Tag(path), document) };
        // Wolverine fills summary and description with the operation id; say what it does instead.
        operation.Summary = OperationNotes.For(method, path)?.Summary;
        operation.Description = null;
        operation.Parameters ??= [];
        foreach (var name in OperationNotes.For(method, path)?.Query ?? [])
        {
            if (!operation.Parameters.Any(p => p.Name == name))
            {
                operation.Parameters.Add(OperationNotes.QueryParameter(name));
            }
        }

        // The endpoints return IResult, which says nothing of the JSON they write: leave the shape open
        // (docs/api.md lists the fields) rather than describe ASP.NET Core's interface.
        foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
        {
            foreach (var media in response.Content?.Values ?? [])
            {
                if (media.Schema is OpenApiSchemaReference { Reference.Id: "IResult" })
                {
                    media.Schema = new OpenApiSchema { Type = JsonSchemaType.Object };
                }
            }
        }

        if (operation.Responses.TryGetValue("404", out var notFound) && notFound.Content is null or { Count: 0 })
        {
            operation.Responses.Remove("404");
            Problem(operation, document, "404", "Not found (`detail` names what).");
        }

        if (role is not null)
        {
            operation.Description = (role == Roles.AnyKey ? $"Role: `{role}`: every configured key, in the `{ApiKeyGate.Header}` header." : $"Role: `{role}` (or `admin`), in the `{ApiKeyGate.Header}` header.") +
                (string.IsNullOrEmpty(operation.Description) ? "" : "\n\n" + operation.Description);
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(LedgerDocument.ApiKeyScheme, document)] = [role] }];
            Problem(operation, document, "401", "No key, or a key nobody configured.");
            Problem(operation, document, "403", $"A key without the `{role}` role, or (no key configured at all) a caller that is not on loopback.");
            Problem(operation, document, "4XX", "The request cannot be answered as asked (`detail` says why): bad parameters, not found, conflict.");
        }
        else if (path.StartsWith("/callbacks", StringComparison.Ordinal))
        {
            operation.Description = "Called by the provider, no key: its own signature, token or address allowlist verifies it. " +
                "2xx carries the exact body that provider expects, sent only after the append committed.";
            Problem(operation, document, "400", "The body cannot be parsed (kept in quarantine).");
            Problem(operation, document, "401", "Verification failed (kept in quarantine).");
            Problem(operation, document, "404", "Unknown provider or account.");
            Problem(operation, document, "413", "The body (decoded, when sent with a Content-Encoding) is larger than `Ledger__MaxBodyBytes`.");
            Problem(operation, document, "415", "A Content-Encoding other than gzip, deflate or br (kept in quarantine).");
            Problem(operation, document, "429", "This source sends too fast.");
            Problem(operation, document, "503", "Storage cannot write; the provider retries.");
        }

        return Task.CompletedTask;
    }

    private static string Tag(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() switch
    {
        "callbacks" => "Ingest",
        "messages" => "Messages",
        "reconciliation" => "Reconciliation",
        "replays" => "Replays",
        "quarantine" or "requests" => "Audit",
        "webhooks" => "Webhooks",
        _ => "Operations",
    };

    private static void Problem(OpenApiOperation operation, OpenApiDocument document, string status, string description)
    {
        operation.Responses!.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(LedgerDocument.ProblemSchema, document) },
            },
        });
    }
}
