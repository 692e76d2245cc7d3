using System.Net.Http.Headers;
using System.Text.Json;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Hostile;

[Collection(LedgerCollection.Name)]
public sealed class when_input_is_hostile(LedgerFixture fixture)
{
    private const int Seed = 20261125;

    private static readonly ProviderAccount Signed = new()
    {
        Name = "fuzz",
        Secrets = ["s1", "s2"],
        Options = new(StringComparer.OrdinalIgnoreCase) { ["Variant"] = "international" },
    };

    [Fact]
    public void no_adapter_throws_on_random_mutated_or_malicious_input()
    {
        var random = new Random(Seed);
        var catalog = ProviderCatalog.Default();
        var tried = 0;
        foreach (var name in catalog.Names)
        {
            var adapter = catalog.Find(name)!;
            for (var i = 0; i < 400; i++)
            {
                var body = HostileInputs.Next(random);
                var contentType = HostileInputs.ContentTypes[random.Next(HostileInputs.ContentTypes.Length)];
                var method = random.Next(8) == 0 ? "GET" : "POST";
                var query = random.Next(3) == 0 ? "?" + System.Text.Encoding.UTF8.GetString(HostileInputs.Next(random)).Replace("#", "") : "";
                var headers = new List<HeaderEntry> { new("Content-Type", contentType) };
                if (random.Next(2) == 0)
                {
                    headers.Add(new("X-Twilio-Signature", "AAAA"));
                    headers.Add(new("X-Timestamp", random.Next(2) == 0 ? "99999999999999999999" : "-5"));
                    headers.Add(new("X-Nonce", new string('n', random.Next(0, 300))));
                    headers.Add(new("timestamp", "1e5"));
                    headers.Add(new("signature", "zz"));
                }

                var request = new RawCallback(Guid.NewGuid(), method, $"http://localhost/callbacks/{name}{query}", $"/callbacks/{name}", query,
                    headers, body, "127.0.0.1", DateTimeOffset.UtcNow);
                var account = random.Next(2) == 0 ? Signed : new ProviderAccount();
                AdapterResult result = null!;
                Should.NotThrow(() => result = adapter.Handle(request, account, DateTimeOffset.UtcNow),
                    $"{name} threw on case {i} (seed {Seed}): {Convert.ToBase64String(body)} as '{contentType}'");
                result.ShouldNotBeNull();
                if (result is AdapterResult.Rejected rejected)
                {
                    rejected.Rejection.StatusCode.ShouldBeInRange(400, 499);
                    rejected.Rejection.Detail.ShouldNotBeNullOrWhiteSpace();
                }

                tried++;
            }
        }

        tried.ShouldBeGreaterThanOrEqualTo(3200);
    }

    [Fact]
    public async Task hostile_requests_through_http_never_get_a_5xx_and_every_one_is_on_record()
    {
        var random = new Random(Seed + 1);
        var client = fixture.Host.Server.CreateClient();
        var providers = ProviderCatalog.Default().Names.Append("nosuch").ToArray();
        var refused = new List<Guid>();
        for (var i = 0; i < 300; i++)
        {
            var provider = providers[random.Next(providers.Length)];
            using var content = new ByteArrayContent(HostileInputs.Next(random));
            var contentType = HostileInputs.ContentTypes[random.Next(HostileInputs.ContentTypes.Length)];
            if (contentType.Length > 0)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            using var response = await client.PostAsync($"/callbacks/{provider}", content);
            var status = (int)response.StatusCode;
            status.ShouldBeLessThan(500, $"case {i} to {provider} as '{contentType}'");
            if (status >= 400)
            {
                var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
                refused.Add(problem.GetProperty("requestId").GetGuid());
            }
        }

        refused.Count.ShouldBeGreaterThan(200);
        await using var session = fixture.Store.QuerySession();
        var stored = await session.LoadManyAsync<RawRequestRecord>(refused);
        stored.Count.ShouldBe(refused.Count);
        stored.ShouldAllBe(r => r.Outcome == RequestOutcomes.Quarantined && r.Reason != null);
    }
}
