using Ledger.Tests.Support;
using System.Diagnostics;
using Ledger.Providers;
using Ledger.Web;
using Ledger.Web.Cli;

namespace Ledger.Tests.Operations;

public sealed class configuration_check_rules
{
    private static readonly IReadOnlyCollection<string> Known = ProviderCatalog.Default().Names;

    private static LedgerOptions With(string provider, string account, ProviderAccount settings, string? publicBaseUrl = null) => new()
    {
        PublicBaseUrl = publicBaseUrl,
        Providers = new(StringComparer.OrdinalIgnoreCase) { [provider] = new(StringComparer.OrdinalIgnoreCase) { [account] = settings } },
    };

    [Fact]
    public void a_twilio_account_without_a_secret_and_without_the_public_url_is_two_problems()
    {
        var problems = ConfigurationCheck.Problems(With("twilio", "default", new ProviderAccount()), Known);

        problems.Count.ShouldBe(2);
        problems.ShouldContain(p => p.Contains("Ledger__Providers__twilio__default__Secrets__0"));
        problems.ShouldContain(p => p.Contains("Ledger__PublicBaseUrl"));
    }

    [Fact]
    public void pull_settings_that_could_never_make_a_call_are_named_key_by_key_without_their_values()
    {
        var half = With("aliyun", "shop", new ProviderAccount { Token = "t", Pull = new() { AccessKeyId = "LTAI-the-id", Endpoint = "dysmsapi" } });
        var problems = ConfigurationCheck.Problems(half, Known);
        problems.Count.ShouldBe(2);
        problems.ShouldContain(p => p.Contains("Ledger__Providers__aliyun__shop__Pull__AccessKeySecret"));
        problems.ShouldContain(p => p.Contains("Ledger__Providers__aliyun__shop__Pull__Endpoint") && p.Contains("absolute"));
        problems.ShouldAllBe(p => !p.Contains("LTAI-the-id"));

        var tencent = ConfigurationCheck.Problems(With("tencent", "default", new ProviderAccount { Token = "t", Pull = new() { SecretId = "id", SecretKey = "key" } }), Known);
        tencent.ShouldHaveSingleItem().ShouldContain("__Pull__SdkAppId");

        ConfigurationCheck.Problems(With("huawei", "default", new ProviderAccount { Token = "t", Pull = new() { AccessKeyId = "x" } }), Known)
            .ShouldHaveSingleItem().ShouldContain("no status query API");

        ConfigurationCheck.Problems(With("twilio", "default", new ProviderAccount { Secrets = ["auth-token"], Pull = new() { AccountSid = "AC1", AuthToken = "t" } },
            "https://ledger.example.com"), Known).ShouldBeEmpty();
    }

    [Fact]
    public void trusted_proxies_must_be_addresses_or_networks()
    {
        var options = new LedgerOptions { TrustedProxies = ["10.0.0.0/8", "192.0.2.10", "fd00::/8", "proxy.internal", "10.0.0.0/40"] };

        var problems = ConfigurationCheck.Problems(options, Known);

        problems.Count.ShouldBe(2);
        problems.ShouldContain(p => p.Contains("Ledger__TrustedProxies__3") && p.Contains("proxy.internal"));
        problems.ShouldContain(p => p.Contains("Ledger__TrustedProxies__4"));
    }

    [Fact]
    public void the_phone_region_must_be_one_libphonenumber_knows()
    {
        ConfigurationCheck.Problems(new LedgerOptions { PhoneRegion = "XX" }, Known).ShouldHaveSingleItem().ShouldContain("Ledger__PhoneRegion");
        ConfigurationCheck.Problems(new LedgerOptions { PhoneRegion = "gb" }, Known).ShouldBeEmpty();
    }

    [Fact]
    public void a_configured_twilio_account_is_fine()
    {
        ConfigurationCheck.Problems(With("twilio", "default", new ProviderAccount { Secrets = ["auth-token"] }, "https://ledger.example.com"), Known)
            .ShouldBeEmpty();
    }

    [Theory]
    [InlineData("baidu")]
    [InlineData("generic")]
    public void signing_providers_need_a_secret(string provider)
    {
        ConfigurationCheck.Problems(With(provider, "main", new ProviderAccount { Secrets = ["  "] }), Known)
            .ShouldHaveSingleItem().ShouldContain($"Ledger__Providers__{provider}__main__Secrets__0");
    }

    [Fact]
    public void a_huawei_account_with_half_an_ak_sk_pair_is_a_problem_and_one_with_none_or_both_is_fine()
    {
        var keyOnly = new ProviderAccount();
        keyOnly.Options["AppKey"] = "app-key";
        var both = new ProviderAccount { Secrets = ["app-secret"] };
        both.Options["AppKey"] = "app-key";

        ConfigurationCheck.Problems(With("huawei", "main", keyOnly), Known).ShouldHaveSingleItem().ShouldContain("Ledger__Providers__huawei__main__Secrets__0");
        ConfigurationCheck.Problems(With("huawei", "main", new ProviderAccount { Secrets = ["app-secret"] }), Known)
            .ShouldHaveSingleItem().ShouldContain("Ledger__Providers__huawei__main__Options__AppKey");
        ConfigurationCheck.Problems(With("huawei", "main", both), Known).ShouldBeEmpty();
        ConfigurationCheck.Problems(With("huawei", "main", new ProviderAccount { Token = "t" }), Known).ShouldBeEmpty();
    }

    [Fact]
    public void vonage_secrets_are_optional()
    {
        ConfigurationCheck.Problems(With("vonage", "default", new ProviderAccount { Token = "t" }), Known).ShouldBeEmpty();
    }

    [Fact]
    public void cidrs_tokens_and_signature_methods_must_parse()
    {
        var problems = ConfigurationCheck.Problems(With("generic", "default", new ProviderAccount
        {
            Secrets = ["s"],
            Token = "has space",
            AllowedCidrs = ["203.0.113.0/24", "10.0.0.1", "2001:db8::/32", "10.0.0.0/33", "not-an-address"],
            SignatureMethod = "sha3",
        }), Known);

        problems.Count.ShouldBe(4);
        problems.ShouldContain(p => p.Contains("__Token"));
        problems.ShouldContain(p => p.Contains("AllowedCidrs__3"));
        problems.ShouldContain(p => p.Contains("AllowedCidrs__4"));
        problems.ShouldContain(p => p.Contains("SignatureMethod 'sha3'"));
    }

    [Fact]
    public void an_unknown_provider_name_is_a_problem()
    {
        ConfigurationCheck.Problems(With("twillio", "default", new ProviderAccount()), Known).ShouldHaveSingleItem().ShouldContain("no provider is called 'twillio'");
    }

    [Fact]
    public async Task verify_config_run_as_a_process_exits_1_and_names_what_to_set()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Ledger.Web.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "verify-config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Ledger__Providers__twilio__default__TimestampToleranceSeconds"] = "300";
        start.Environment.Remove("Ledger__PublicBaseUrl");

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldBe(1);
        output.ShouldContain("2 configuration problem(s).");
        (await errors).ShouldContain("Ledger__Providers__twilio__default__Secrets__0 is not set");
        (await errors).ShouldContain("Ledger__PublicBaseUrl is not set");
    }

    [Fact]
    public async Task check_env_names_each_problem_and_fails()
    {
        // The service's own output folder: JasperFx's command discovery scans every assembly beside the
        // executable, and the test folder holds test-only ones (FsCheck wants an FSharp.Core it lacks).
        var dll = Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Ledger.Tests"), Path.Combine("src", "Web")), "Ledger.Web.dll");
        File.Exists(dll).ShouldBeTrue(dll);
        var start = new ProcessStartInfo("dotnet", [dll, "check-env"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        await using var postgres = await TestClusters.StartAsync("checkenv");
        start.Environment["ConnectionStrings__Ledger"] = postgres.ConnectionString;
        start.Environment["Ledger__Providers__twilio__default__TimestampToleranceSeconds"] = "300";
        start.Environment.Remove("Ledger__PublicBaseUrl");

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldNotBe(0);
        (output + await errors).ShouldContain("check-env: Ledger__Providers__twilio__default__Secrets__0 is not set");
    }
}
