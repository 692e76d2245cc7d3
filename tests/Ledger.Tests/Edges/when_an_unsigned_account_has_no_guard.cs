using System.Net;
using Alba;
using Ledger.Providers;
using Ledger.Tests.Providers.Ronglian;
using Ledger.Tests.Support;
using Ledger.Web;
using Ledger.Web.Cli;

namespace Ledger.Tests.Edges;

/// <summary>
/// Verification is not optional (docs/rules.md): an account of a provider that signs nothing, with neither a
/// token nor an allowlist, stops the start and is named by verify-config and check-env, unless it says so
/// explicitly (`AllowUnauthenticated=true`); the implicit `default` account of a provider with no account
/// configured answers callers on this machine only. Before, both accepted anyone on the internet, silently.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_an_unsigned_account_has_no_guard(LedgerFixture fixture)
{
    private static LedgerOptions Options(params (string Provider, string Account, ProviderAccount Settings)[] accounts)
    {
        var options = new LedgerOptions();
        foreach (var (provider, account, settings) in accounts)
        {
            if (!options.Providers.TryGetValue(provider, out var map))
            {
                options.Providers[provider] = map = new Dictionary<string, ProviderAccount>(StringComparer.OrdinalIgnoreCase);
            }

            map[account] = settings;
        }

        return options;
    }

    [Fact]
    public void verify_config_and_the_start_name_an_unguarded_account_and_accept_one_that_says_so()
    {
        var providers = ProviderCatalog.Default().Names;
        var open = Options(("tencent", "prod", new ProviderAccount()));

        var problem = ConfigurationCheck.Problems(open, providers).ShouldHaveSingleItem();
        problem.ShouldContain("Ledger__Providers__tencent__prod");
        problem.ShouldContain("AllowUnauthenticated=true");
        ConfigurationCheck.StartProblems(open).ShouldHaveSingleItem().ShouldBe(problem);

        foreach (var guarded in new[]
        {
            new ProviderAccount { Token = "t0ken" }, new ProviderAccount { AllowedCidrs = ["203.0.113.0/24"] }, new ProviderAccount { AllowUnauthenticated = true },
        })
        {
            ConfigurationCheck.StartProblems(Options(("tencent", "prod", guarded))).ShouldBeEmpty();
        }

        // Vonage with its signing secrets is guarded by its signature; Twilio always signs (its own check).
        ConfigurationCheck.StartProblems(Options(("vonage", "prod", new ProviderAccount { Secrets = ["s"] }))).ShouldBeEmpty();
        ConfigurationCheck.StartProblems(Options(("vonage", "prod", new ProviderAccount()))).ShouldHaveSingleItem();
        // Said explicitly, it is still named at start as open.
        ConfigurationCheck.OpenAccounts(Options(("aliyun", "gw", new ProviderAccount { AllowUnauthenticated = true })), providers).ShouldBe(["aliyun/gw"]);
    }

    [Fact]
    public async Task the_service_does_not_start_with_one()
    {
        await Should.ThrowAsync<Exception>(async () =>
        {
            await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "ng" + Payloads.NewId()[..10],
                new Dictionary<string, string?> { ["Ledger:Providers:ronglian:prod:Charset"] = "utf-8" });
        });
    }

    [Fact]
    public async Task the_implicit_default_account_answers_this_machine_only()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "lo" + Payloads.NewId()[..10], loopbackCaller: false);

        var local = await PostAsync(host, IPAddress.Loopback, Payloads.NewId());
        local.Status.ShouldBe(200);
        var v6 = await PostAsync(host, IPAddress.IPv6Loopback, Payloads.NewId());
        v6.Status.ShouldBe(200);

        var remote = await PostAsync(host, IPAddress.Parse("203.0.113.9"), Payloads.NewId());
        remote.Status.ShouldBe(401);
        remote.Body.ShouldContain(RejectionReasons.AddressNotAllowed);
        remote.Body.ShouldContain("machine only");

        // No address at all (a Unix socket, a named pipe) is not this machine.
        (await PostAsync(host, null, Payloads.NewId())).Status.ShouldBe(401);
    }

    private static async Task<(int Status, string Body)> PostAsync(IAlbaHost host, IPAddress? remote, string sid)
    {
        var result = await host.Scenario(x =>
        {
            x.Post.Text(RonglianPayloads.Json(sid)).ToUrl("/callbacks/ronglian");
            x.WithRequestHeader("Content-Type", "application/json");
            x.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = remote);
            x.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, result.ReadAsText());
    }
}
