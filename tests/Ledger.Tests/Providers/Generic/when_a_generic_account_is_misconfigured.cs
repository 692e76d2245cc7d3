using System.Diagnostics;
using Ledger.Providers;
using Ledger.Providers.Generic;
using Ledger.Tests.Support;
using Ledger.Web;
using Ledger.Web.Cli;
using Microsoft.Extensions.Configuration;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

/// <summary>A setting the scheme cannot read is found before the first callback, named by its key.</summary>
public sealed class when_a_generic_account_is_misconfigured
{
    private static IReadOnlyList<string> Problems(string method = "hmac-sha256", string[]? secrets = null, string? token = null, params (string Key, string Value)[] options)
    {
        var account = Account(method, secrets, options);
        account.Token = token;
        return GenericScheme.Problems(account);
    }

    [Theory]
    [InlineData("IdField", "data..msgid")]
    [InlineData("StatusField", ".status")]
    [InlineData("PhoneField", "report.")]
    [InlineData("TimeFormat", "epoch-ms")]
    [InlineData("TimeFormat", "epoch|yyyyMMddHHmmss")]
    [InlineData("TimeFormat", "HH:mm")]
    [InlineData("TimeZone", "Asia/Shanghai")]
    [InlineData("SignatureEncoding", "base32")]
    [InlineData("StringToSign", "sorted")]
    public void a_field_path_time_format_or_signing_option_that_cannot_be_read_is_named(string option, string value)
    {
        Problems(options: (option, value)).ShouldHaveSingleItem().ShouldContain($"Ledger__Providers__generic__test__Options__{option}");
    }

    [Fact]
    public void a_signature_in_the_body_and_in_the_query_at_once_names_both_keys()
    {
        var problem = Problems(options: [("SignatureParam", "sign"), ("SignatureQueryParam", "sign")]).ShouldHaveSingleItem();
        problem.ShouldContain("Options__SignatureParam");
        problem.ShouldContain("Options__SignatureQueryParam");
    }

    [Fact]
    public void an_unsigned_account_needs_a_token_or_an_allowlist()
    {
        Problems(method: "none", secrets: []).ShouldHaveSingleItem().ShouldContain("Ledger__Providers__generic__test__Token");
        Problems(method: "none", secrets: [], token: "t").ShouldBeEmpty();
    }

    [Fact]
    public void an_unsigned_account_with_secrets_is_a_contradiction_not_a_silent_switch_off()
    {
        Problems(method: "none", secrets: ["s1"], token: "t").ShouldHaveSingleItem().ShouldContain("Secrets__0");
    }

    [Fact]
    public void plain_names_dotted_paths_and_the_defaults_are_fine()
    {
        Problems().ShouldBeEmpty();
        Problems(options: [("IdField", "data.msgid"), ("TimeField", "report.done_at"), ("TimeFormat", "epoch"), ("SignaturePrefix", "sha256="),
            ("SignatureQueryParam", "sign"), ("PendingValues", "none"), ("ErrorCodeField", "error_msg"), ("JsonFormField", "sms_status")]).ShouldBeEmpty();
    }

    [Fact]
    public void every_test_account_including_the_readme_provider_configurations_reads()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(TestAccounts.Load()).Build();
        var options = configuration.GetSection("Ledger").Get<LedgerOptions>()!;

        ConfigurationCheck.GenericProblems(options).ShouldBeEmpty();
        ConfigurationCheck.Problems(options, ProviderCatalog.Default().Names).ShouldNotContain(p => p.Contains("generic__volcengine") || p.Contains("generic__yunpian"));
    }

    [Fact]
    public void verify_config_lists_the_generic_problems_with_the_others()
    {
        var account = Account(options: ("IdField", "data..msgid"));
        var options = new LedgerOptions { Providers = new(StringComparer.OrdinalIgnoreCase) { ["generic"] = new(StringComparer.OrdinalIgnoreCase) { ["shop"] = account } } };

        ConfigurationCheck.Problems(options, ProviderCatalog.Default().Names)
            .ShouldHaveSingleItem().ShouldContain("Ledger__Providers__generic__shop__Options__IdField");
    }

    [Fact]
    public async Task the_service_refuses_to_start_and_names_the_key()
    {
        // The service's own output folder, as check_env_names_each_problem_and_fails explains.
        var dll = Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "Ledger.Tests"), Path.Combine("src", "Web")), "Ledger.Web.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        // Nothing listens there: should the check not stop the service, it fails on the database instead of serving.
        start.Environment["ConnectionStrings__Ledger"] = "Host=127.0.0.1;Port=1;Username=none;Timeout=1";
        start.Environment["urls"] = "http://127.0.0.1:0";
        start.Environment["Ledger__Providers__generic__shop__Secrets__0"] = "s1";
        start.Environment["Ledger__Providers__generic__shop__Options__StatusField"] = "data..status";

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new ShouldAssertException($"The service did not stop within 60 s. {await output}");
        }

        process.ExitCode.ShouldBe(3);
        (await errors).ShouldContain("StatusField 'data..status'");
        (await errors).ShouldContain("Ledger__Providers__generic__shop__Options__StatusField");
    }
}
