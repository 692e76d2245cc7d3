using System.Net;
using Ledger.Providers.Aliyun;
using Ledger.Providers.Pull;
using Ledger.Providers.Tencent;
using Ledger.Providers.Twilio;
using Ledger.Web.Cli;

namespace Ledger.Tests.Pull;

/// <summary>
/// What an account needs before the ledger can pull is known in one place, PullSettings.Required: each query
/// client refuses without exactly those settings, and verify-config names exactly those.
/// </summary>
public sealed class pull_credentials_rules
{
    private static readonly DateTimeOffset SentAt = DateTimeOffset.Parse("2026-03-01T17:30:00Z");

    /// <summary>Counts what would have gone out; answers 503 so nothing is read.</summary>
    private sealed class Recorder : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }
    }

    private static readonly PullSettings Complete = new()
    {
        AccessKeyId = "LTAI-id",
        AccessKeySecret = "alibaba-secret",
        SecretId = "AKID-id",
        SecretKey = "tencent-secret",
        SdkAppId = "1400000000",
        AccountSid = "AC00000000000000000000000000000000",
        AuthToken = "twilio-token",
        Endpoint = "http://127.0.0.1:9/",
    };

    private static PullSettings Without(string name)
    {
        var settings = Complete with { };
        typeof(PullSettings).GetProperty(name)!.SetValue(settings, null);
        return settings;
    }

    private static (IStatusQuery Query, Recorder Calls) Client(string provider)
    {
        var recorder = new Recorder();
        var http = new HttpClient(recorder);
        IStatusQuery query = provider switch
        {
            "aliyun" => new AliyunQuery(http),
            "tencent" => new TencentQuery(http),
            "twilio" => new TwilioQuery(http),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "no query client"),
        };
        return (query, recorder);
    }

    private static PullRequest Request(string provider, PullSettings settings) => provider switch
    {
        "aliyun" => new PullRequest("shop", settings, null, SentAt, SentAt.AddHours(2), ["134523^435:13900001234"]),
        "tencent" => new PullRequest("shop", settings, "+8613900001234", SentAt, SentAt.AddHours(2), []),
        _ => new PullRequest("shop", settings, null, SentAt, SentAt.AddHours(2), ["SM00000000000000000000000000000000"]),
    };

    public static TheoryData<string, string> EachRequiredSetting()
    {
        var data = new TheoryData<string, string>();
        foreach (var (provider, names) in PullSettings.Required)
        {
            foreach (var name in names)
            {
                data.Add(provider, name);
            }
        }

        return data;
    }

    [Fact]
    public void the_providers_that_can_pull_are_the_ones_with_a_query_client() =>
        PullSettings.Required.Keys.ShouldBe(["aliyun", "tencent", "twilio"], ignoreOrder: true);

    [Theory]
    [MemberData(nameof(EachRequiredSetting))]
    public async Task a_client_without_one_required_setting_sends_nothing_and_names_the_same_key_verify_config_names(string provider, string name)
    {
        var (query, calls) = Client(provider);
        var settings = Without(name);

        var answer = await query.QueryAsync(Request(provider, settings), CancellationToken.None);

        answer.Error.ShouldNotBeNull();
        answer.Error.Kind.ShouldBe(PullErrorKind.Configuration);
        answer.Error.Detail.ShouldContain(PullSettings.Key(provider, "shop", name));
        calls.Calls.ShouldBe(0);
        ConfigurationCheck.PullProblems(provider, "shop", settings).ShouldHaveSingleItem().ShouldContain(PullSettings.Key(provider, "shop", name));
    }

    [Theory]
    [InlineData("aliyun")]
    [InlineData("tencent")]
    [InlineData("twilio")]
    public async Task a_client_with_every_required_setting_calls_the_api_and_verify_config_has_nothing_to_say(string provider)
    {
        var (query, calls) = Client(provider);

        var answer = await query.QueryAsync(Request(provider, Complete), CancellationToken.None);

        calls.Calls.ShouldBe(1);
        answer.Error?.Kind.ShouldNotBe(PullErrorKind.Configuration);
        ConfigurationCheck.PullProblems(provider, "shop", Complete).ShouldBeEmpty();
    }

    [Fact]
    public void a_blank_setting_is_missing_for_the_client_and_for_verify_config_alike()
    {
        var settings = Complete with { AuthToken = "  " };

        settings.NotReady("twilio", "shop").ShouldNotBeNull().ShouldContain("Ledger__Providers__twilio__shop__Pull__AuthToken");
        settings.Missing("twilio").ShouldBe(["AuthToken"]);
    }
}
