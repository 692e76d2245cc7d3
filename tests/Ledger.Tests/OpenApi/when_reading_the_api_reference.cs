using System.Text.RegularExpressions;
using Ledger.Tests.Support;
using Ledger.Web.Security;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Ledger.Tests.OpenApi;

[Collection(LedgerCollection.Name)]
public sealed partial class when_reading_the_api_reference(LedgerFixture fixture)
{
    [Fact]
    public async Task the_document_is_public_and_a_real_openapi_reader_finds_no_error()
    {
        var (document, errors) = await ReadDocumentAsync();

        errors.ShouldBeEmpty();
        document.Components!.SecuritySchemes!["ApiKey"].Name.ShouldBe(ApiKeyGate.Header);
        document.Components.SecuritySchemes["ApiKey"].In.ShouldBe(ParameterLocation.Header);
    }

    [Fact]
    public async Task every_route_the_app_maps_is_in_the_document()
    {
        var (document, _) = await ReadDocumentAsync();
        var mapped = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: Template(e))))
            .ToList();

        mapped.Count.ShouldBeGreaterThan(20);
        var missing = mapped.Where(r => !(document.Paths.TryGetValue(r.Path, out var item)
            && item.Operations!.Keys.Any(m => m.Method.Equals(r.Method, StringComparison.OrdinalIgnoreCase)))).ToList();
        missing.ShouldBeEmpty($"in the app, not in the document: {string.Join(", ", missing)}");
    }

    /// <summary>
    /// The examples are true: each request example is accepted by the service as the document says, and its
    /// answer carries every field the answer example shows.
    /// </summary>
    [Fact]
    public async Task the_examples_are_in_the_document_and_the_service_accepts_them_as_shown()
    {
        var (document, _) = await ReadDocumentAsync();
        foreach (var (operation, example) in Ledger.Web.Docs.OperationExamples.All)
        {
            var (method, path) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            var described = document.Paths[path].Operations![new HttpMethod(method)];
            if (example.Request is not null)
            {
                described.RequestBody!.Content!["application/json"].Example.ShouldNotBeNull(operation);
            }

            described.Responses![example.Status].Content!["application/json"].Example.ShouldNotBeNull(operation);
        }

        foreach (var (operation, url, key) in new[]
        {
            ("POST /callbacks/{provider}", "/callbacks/aliyun", (string?)null),
            ("POST /messages/sent", "/messages/sent", LedgerApi.AdminKey),
            ("POST /replays", "/replays", LedgerApi.AdminKey),
        })
        {
            var example = Ledger.Web.Docs.OperationExamples.All[operation];
            var (status, body, _) = await fixture.Host.PostAsync(url, example.Request!, apiKey: key);
            status.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(example.Status, body);
            var answer = System.Text.Json.JsonDocument.Parse(body).RootElement;
            foreach (var field in System.Text.Json.JsonDocument.Parse(example.Answer!).RootElement.EnumerateObject())
            {
                answer.TryGetProperty(field.Name, out _).ShouldBeTrue($"{operation} answers '{field.Name}'");
            }
        }
    }

    [Fact]
    public async Task each_operation_says_what_it_does()
    {
        var (document, _) = await ReadDocumentAsync();
        var silent = document.Paths.SelectMany(p => p.Value.Operations!.Where(o => string.IsNullOrWhiteSpace(o.Value.Summary)).Select(o => $"{o.Key} {p.Key}")).ToList();
        silent.ShouldBeEmpty("a new endpoint needs its line in OperationNotes");
    }

    [Fact]
    public async Task each_operation_names_its_role_and_needs_the_api_key_of_that_role()
    {
        var (document, _) = await ReadDocumentAsync();
        var endpoints = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var endpoint in endpoints.Where(e => e.Metadata.GetMetadata<RequiresRoleAttribute>() is not null))
        {
            var role = endpoint.Metadata.GetMetadata<RequiresRoleAttribute>()!.Role;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var operation = document.Paths[Template(endpoint)].Operations![new HttpMethod(method)];
                operation.Description.ShouldNotBeNull().ShouldContain($"Role: `{role}`");
                var requirement = operation.Security.ShouldHaveSingleItem();
                requirement.Single().Key.Reference.Id.ShouldBe("ApiKey");
                requirement.Single().Value.ShouldBe([role]);
                operation.Responses!["401"].Content!.Keys.ShouldContain("application/problem+json");
                operation.Responses["403"].Content!.Keys.ShouldContain("application/problem+json");
            }
        }

        var ingest = document.Paths["/callbacks/{provider}"].Operations![HttpMethod.Post];
        ingest.Security.ShouldBeNull();
        ingest.Responses!["413"].Content!.Keys.ShouldContain("application/problem+json");
        document.Paths["/health"].Operations![HttpMethod.Get].Security.ShouldBeNull();
    }

    [Fact]
    public async Task the_reference_page_answers_html_and_loads_nothing_from_another_origin()
    {
        // Scalar answers the bare path with a redirect to the folder, so that its script's relative URL resolves.
        using var redirect = await fixture.Host.Server.CreateClient().GetAsync("/docs/api");
        ((int)redirect.StatusCode).ShouldBeOneOf(301, 302);
        new Uri(new Uri("http://ledger/docs/api"), redirect.Headers.Location.ShouldNotBeNull()).AbsolutePath.ShouldBe("/docs/api/");

        var (status, html, type) = await fixture.Host.GetRawAsync("/docs/api/", apiKey: null);
        status.ShouldBe(200);
        type.ShouldNotBeNull().ShouldStartWith("text/html");
        html.ShouldNotContain("cdn", Case.Insensitive);
        AbsoluteUrl().Matches(html).Select(m => m.Value).ShouldBeEmpty("no script, style or font from elsewhere");
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        scripts.ShouldNotBeEmpty();
        foreach (var script in scripts)
        {
            var url = script.StartsWith('/') ? script : "/docs/api/" + script;
            var (scriptStatus, body, _) = await fixture.Host.GetRawAsync(url, apiKey: null);
            scriptStatus.ShouldBe(200, url);
            body.Length.ShouldBeGreaterThan(1000, url);
        }
    }

    private async Task<(OpenApiDocument Document, IList<OpenApiError> Errors)> ReadDocumentAsync()
    {
        var (status, json, type) = await fixture.Host.GetRawAsync("/openapi/v1.json", apiKey: null);
        status.ShouldBe(200, json);
        type.ShouldNotBeNull().ShouldStartWith("application/json");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var result = await OpenApiDocument.LoadAsync(stream, "json");
        return (result.Document.ShouldNotBeNull(), result.Diagnostic?.Errors ?? []);
    }

    /// <summary>A route as OpenAPI writes its path: parameters without constraints, defaults or `?`.</summary>
    private static string Template(RouteEndpoint endpoint) =>
        "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    [GeneratedRegex("""(?:src|href)\s*=\s*["']?(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex("""<script[^>]*\ssrc\s*=\s*["']([^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}
