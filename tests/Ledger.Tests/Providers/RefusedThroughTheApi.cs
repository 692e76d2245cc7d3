using System.Text.Json;
using Alba;
using Ledger.Tests.Support;

namespace Ledger.Tests.Providers;

/// <summary>
/// A refused push checked through the HTTP contract only: the problem names the request and its reason,
/// `GET /quarantine` lists it, and `GET /requests/{id}` holds the body exactly as it was sent.
/// </summary>
public static class RefusedThroughTheApi
{
    public static async Task<JsonElement> ShouldBeQuarantinedAsync(this IAlbaHost host, string provider, string problemBody, string reason, string sentBody)
    {
        var problem = JsonDocument.Parse(problemBody).RootElement.Clone();
        problem.GetProperty("reason").GetString().ShouldBe(reason);
        var requestId = problem.GetProperty("requestId").GetGuid();

        var (listed, page) = await host.GetJsonAsync($"/quarantine?provider={provider}&reason={reason}&pageSize=500", LedgerApi.AdminKey);
        listed.ShouldBe(200);
        page.GetProperty("items").EnumerateArray().ShouldContain(i => i.GetProperty("requestId").GetGuid() == requestId);

        var (found, request) = await host.GetJsonAsync($"/requests/{requestId}", LedgerApi.AdminKey);
        found.ShouldBe(200);
        request.GetProperty("outcome").GetString().ShouldBe("quarantined");
        request.GetProperty("reason").GetString().ShouldBe(reason);
        request.GetProperty("bodyText").GetString().ShouldBe(sentBody);
        request.GetProperty("items").GetArrayLength().ShouldBe(0);
        return problem;
    }
}
