using System.Text.Json;
using Ledger.Tests.Support;
using Ledger.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Security;

/// <summary>
/// Every route of the running host, as routing sees it: anything that is not ingest, health, metrics or
/// the UI's static files must declare a role and refuse a caller without a key. A new endpoint without
/// <see cref="RequiresRoleAttribute"/> fails here.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_an_endpoint_is_called_without_a_key(LedgerFixture fixture)
{
    /// <summary>
    /// Open on purpose: providers (verified per provider), probes, the Prometheus scraper, the UI's static
    /// files, and the API's description (routes and roles, no data: calls from the reference page still need a key).
    /// </summary>
    private static readonly string[] OpenPrefixes = ["/callbacks", "/health", "/metrics", "/ui", "/openapi", "/docs/api"];

    private IReadOnlyList<(string Pattern, string Method, RequiresRoleAttribute? Role)> Endpoints() =>
        fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => ("/" + e.RoutePattern.RawText!.TrimStart('/'), m, e.Metadata.GetMetadata<RequiresRoleAttribute>())))
            .ToList();

    private static bool Open(string pattern) =>
        OpenPrefixes.Any(p => pattern == p || pattern.StartsWith(p + "/", StringComparison.Ordinal));

    [Fact]
    public void every_endpoint_but_ingest_health_metrics_and_ui_declares_a_role()
    {
        var endpoints = Endpoints();
        endpoints.Count.ShouldBeGreaterThan(10); // the enumeration sees the Wolverine endpoints
        endpoints.ShouldContain(e => e.Pattern == "/requests/{requestId}");

        var missing = endpoints.Where(e => !Open(e.Pattern) && e.Role is null).Select(e => $"{e.Method} {e.Pattern}").ToList();
        missing.ShouldBeEmpty("add [RequiresRole(...)] to these endpoints");
        endpoints.Where(e => e.Role is not null).ShouldAllBe(e => Roles.All.Contains(e.Role!.Role) || e.Role!.Role == Roles.AnyKey);
    }

    [Fact]
    public async Task every_protected_endpoint_answers_401_without_a_key_and_with_a_wrong_one()
    {
        var client = fixture.Host.Server.CreateClient();
        foreach (var (pattern, method, _) in Endpoints().Where(e => !Open(e.Pattern)))
        {
            var url = Fill(pattern);
            foreach (var key in new[] { null, "not-a-key", LedgerApi.SupportKey + " " })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (key is not null)
                {
                    request.Headers.TryAddWithoutValidation("X-Api-Key", key);
                }

                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                ((int)response.StatusCode).ShouldBe(401, $"{method} {url} with key '{key}'");
                var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                problem.GetProperty("status").GetInt32().ShouldBe(401);
            }
        }
    }

    /// <summary>A concrete URL for a route pattern: every parameter gets a harmless value.</summary>
    private static string Fill(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)[^}]*\}", m => m.Groups[1].Value switch
        {
            "provider" => "tencent",
            "id" or "requestId" => Guid.NewGuid().ToString(),
            _ => "x" + Payloads.NewId(),
        });
}
