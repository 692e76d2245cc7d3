using System.Net;
using Alba;
using Ledger.Tests.Support;

namespace Ledger.Tests.Security;

/// <summary>
/// An account allowlisted by source address, and the service behind a proxy in 10.0.0.0/8: the client
/// address comes from X-Forwarded-For only when the hop that wrote it is a trusted proxy.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_behind_a_reverse_proxy(LedgerFixture fixture)
{
    private const string Provider = "203.0.113.7";
    private const string Stranger = "198.51.100.9";

    private static Task<IScenarioResult> PostAsync(IAlbaHost host, string socket, string? forwardedFor, int expected) =>
        host.Scenario(x =>
        {
            x.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse(socket));
            x.Post.Text(Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000701", true))).ToUrl("/callbacks/aliyun");
            x.WithRequestHeader("Content-Type", "application/json");
            if (forwardedFor is not null)
            {
                x.WithRequestHeader("X-Forwarded-For", forwardedFor);
            }

            x.StatusCodeShouldBe(expected);
        });

    [Fact]
    public async Task the_allowlist_sees_the_client_a_trusted_proxy_names_and_nobody_else_can_claim_an_address()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "px" + Payloads.NewId()[..10], new Dictionary<string, string?>
        {
            ["Ledger:Providers:aliyun:default:AllowedCidrs:0"] = "203.0.113.0/24",
            ["Ledger:TrustedProxies:0"] = "10.0.0.0/8",
        });

        await PostAsync(host, Provider, forwardedFor: null, 200); // direct, allowed
        await PostAsync(host, "10.0.0.5", Provider, 200); // through the proxy
        await PostAsync(host, "10.0.0.5", $"{Provider}, 10.0.0.9", 200); // two trusted hops

        var refused = await PostAsync(host, "10.0.0.5", Stranger, 401);
        var text = refused.ReadAsText();
        text.ShouldContain("address_not_allowed");
        text.ShouldContain(Stranger); // the client's address, not the proxy's

        // Not from a trusted proxy: the header is ignored, the socket's address decides.
        (await PostAsync(host, Stranger, Provider, 401)).ReadAsText().ShouldContain(Stranger);
        // An untrusted hop in the chain stops the walk there.
        (await PostAsync(host, "10.0.0.5", $"{Provider}, {Stranger}", 401)).ReadAsText().ShouldContain(Stranger);
    }

    [Fact]
    public async Task without_trusted_proxies_the_socket_address_decides()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "pn" + Payloads.NewId()[..10], new Dictionary<string, string?>
        {
            ["Ledger:Providers:aliyun:default:AllowedCidrs:0"] = "203.0.113.0/24",
        });

        await PostAsync(host, Provider, forwardedFor: null, 200);
        (await PostAsync(host, "10.0.0.5", Provider, 401)).ReadAsText().ShouldContain("10.0.0.5");
    }
}
