using Ledger.Providers;
using Ledger.Web;
using Ledger.Web.Cli;

namespace Ledger.Tests.Operations;

/// <summary>The start-up warning names exactly the accounts that take callbacks from anyone, unverified.</summary>
public sealed class start_up_warning_rules
{
    private static readonly IReadOnlyCollection<string> Providers = ProviderCatalog.Default().Names.ToList();

    [Fact]
    public void with_nothing_configured_the_unsigned_providers_default_accounts_are_open_and_the_signing_ones_are_not()
    {
        var open = ConfigurationCheck.OpenAccounts(new LedgerOptions(), Providers);

        open.ShouldBe(["aliyun/default", "huawei/default", "ronglian/default", "tencent/default", "vonage/default"]);
        ConfigurationCheck.ClosedUntilConfigured(new LedgerOptions(), Providers).ShouldBe(["baidu", "generic", "twilio"]);
    }

    [Fact]
    public void a_token_cidrs_or_a_signing_secret_closes_an_account_and_an_account_without_them_is_named()
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

        ConfigurationCheck.OpenAccounts(options, Providers).ShouldBe(["aliyun/bare", "huawei/default", "ronglian/default"]);
        ConfigurationCheck.ClosedUntilConfigured(options, Providers).ShouldBe(["baidu", "generic"]);
    }
}
