using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.Hostile;

[Collection(LedgerCollection.Name)]
public sealed class when_a_source_pushes_too_fast(LedgerFixture fixture)
{
    [Fact]
    public async Task requests_past_the_limit_get_429_with_retry_after_and_the_rest_are_all_recorded()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "rl" + Payloads.NewId()[..8],
            new Dictionary<string, string?> { ["Ledger:RateLimit:PerSourcePerSecond"] = "5", ["Ledger:RateLimit:Burst"] = "5" });
        var client = host.Server.CreateClient();
        var biz = Payloads.NewId();

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var content = new StringContent(Payloads.Array(Payloads.AliyunItem(biz, $"1360000{i:D4}", true)), System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/callbacks/aliyun", content);
            return ((int)response.StatusCode, response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync(), i);
        }));

        var limited = responses.Where(r => r.Item1 == 429).ToList();
        var accepted = responses.Where(r => r.Item1 == 200).ToList();
        (limited.Count + accepted.Count).ShouldBe(30);
        limited.Count.ShouldBeGreaterThan(0);
        accepted.Count.ShouldBeGreaterThanOrEqualTo(10);
        limited.ShouldAllBe(r => r.Item2 == "1");
        JsonDocument.Parse(limited[0].Item3).RootElement.GetProperty("title").GetString().ShouldBe("rate_limited");
        foreach (var ok in accepted)
        {
            (await host.GetJsonAsync($"/messages/aliyun/{biz}:1360000{ok.i:D4}")).Status.ShouldBe(200);
        }

        (await host.GetJsonAsync("/health")).Status.ShouldBe(200); // reads are not limited
    }
}
