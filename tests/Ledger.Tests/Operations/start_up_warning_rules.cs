using Ledger.Providers;
using Ledger.Web;
using Ledger.Web.Cli;

namespace Ledger.Tests.Operations;

/// <summary>
/// The start names exactly the accounts that take callbacks from anyone, unverified (only when configured so:
/// `AllowUnauthenticated`), refuses an unguarded account that does not say so, and names the providers whose
/// implicit default account answers this machine only.
/// </summary>
public sealed class start_up_warning_rules
{
    private static readonly IReadOnlyCollection<string> Providers = ProviderCatalog.Default().Names.ToList();

    [Fact]
    public void with_nothing_configured_the_unsigned_providers_default_accounts_answer_this_machine_only_and_the_signing_ones_nobody()
    {
        ConfigurationCheck.OpenAccounts(new LedgerOptions(), Providers).ShouldBeEmpty();
        ConfigurationCheck.LoopbackOnly(new LedgerOptions(), Providers).ShouldBe(["aliyun", "huawei", "ronglian", "tencent", "vonage"]);
        ConfigurationCheck.StartProblems(new LedgerOptions()).ShouldBeEmpty();
        ConfigurationCheck.ClosedUntilConfigured(new LedgerOptions(), Providers).ShouldBe(["baidu", "generic", "twilio"]);
    }

    [Fact]
    public void a_token_cidrs_or_a_signing_secret_closes_an_account_and_an_account_without_them_stops_the_start_unless_it_says_so()
    {
        var options = new LedgerOptions
        {
            Providers = new(StringComparer.OrdinalIgnoreCase)
            {
                ["aliyun"] = new() { ["shop"] = new ProviderAccount { Token = "t" }, ["bare"] = new ProviderAccount() },
                ["tencent"] = new() { ["shop"] = new ProviderAccount { AllowedCidrs = ["10.0.0.0/8"] } },
                ["vonage"] = new() { ["default"] = new ProviderAccount { Secrets = ["s"] } },
                ["twilio"] = new() { ["default"] = new ProviderAccount() },
            },
        };

        ConfigurationCheck.OpenAccounts(options, Providers).ShouldBeEmpty();
        ConfigurationCheck.StartProblems(options).ShouldHaveSingleItem().ShouldContain("Ledger__Providers__aliyun__bare");
        ConfigurationCheck.LoopbackOnly(options, Providers).ShouldBe(["huawei", "ronglian"]);
        ConfigurationCheck.ClosedUntilConfigured(options, Providers).ShouldBe(["baidu", "generic"]);

        options.Providers["aliyun"]["bare"].AllowUnauthenticated = true;
        ConfigurationCheck.OpenAccounts(options, Providers).ShouldBe(["aliyun/bare"]);
        ConfigurationCheck.StartProblems(options).ShouldBeEmpty();
    }
}
