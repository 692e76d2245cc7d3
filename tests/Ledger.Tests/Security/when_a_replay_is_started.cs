using System.Text;
using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.Security;

/// <summary>A replay's `startedBy` (on the job and on every correction it appends) is who the gate let in, never a header.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_replay_is_started(LedgerFixture fixture)
{
    private static async Task<string> StartedByAsync(Alba.IAlbaHost host, string? apiKey)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/replays")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { provider = "aliyun", from = DateTimeOffset.UtcNow, to = DateTimeOffset.UtcNow.AddSeconds(1), dryRun = true }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Started-By", "mallory");
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await client.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(202, await response.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        var (status, job) = await host.GetJsonAsync($"/replays/{id}", apiKey);
        status.ShouldBe(200);
        return job.GetProperty("startedBy").GetString()!;
    }

    [Fact]
    public async Task it_is_the_api_keys_name_whatever_x_started_by_says()
    {
        // Accounts/apikeys.json: the admin key is named `ops`.
        (await StartedByAsync(fixture.Host, LedgerApi.AdminKey)).ShouldBe("ops");
    }

    [Fact]
    public async Task with_no_key_configured_it_is_loopback_whatever_x_started_by_says()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "sb" + Payloads.NewId()[..10]);
        (await StartedByAsync(host, apiKey: null)).ShouldBe("loopback");
    }
}
