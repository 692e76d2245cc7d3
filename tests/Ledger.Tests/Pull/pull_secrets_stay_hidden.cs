using Ledger.Providers.Aliyun;
using Ledger.Providers.Pull;
using Ledger.Providers.Tencent;
using Ledger.Providers.Twilio;
using Ledger.Tests.Pull.Fakes;

namespace Ledger.Tests.Pull;

/// <summary>Secrets never reach text: records' ToString, error details, the recorded request.</summary>
public sealed class pull_secrets_stay_hidden
{
    private static readonly PullSettings Everything = new()
    {
        AccessKeyId = "LTAI-id-value",
        AccessKeySecret = "aliyun-secret-value",
        SecretId = "AKID-id-value",
        SecretKey = "tencent-secret-value",
        SdkAppId = "1400000000",
        Region = "ap-guangzhou",
        AccountSid = "AC-sid-value",
        AuthToken = "twilio-token-value",
        Endpoint = "http://127.0.0.1:9/",
    };

    private static readonly string[] Secrets = ["aliyun-secret-value", "tencent-secret-value", "twilio-token-value"];

    [Fact]
    public void settings_print_which_values_are_set_never_the_values()
    {
        var text = Everything.ToString();
        text.ShouldContain("AccessKeySecret");
        foreach (var value in (string[])["LTAI-id-value", "AKID-id-value", "AC-sid-value", .. Secrets])
        {
            text.ShouldNotContain(value);
        }
    }

    [Fact]
    public void a_request_prints_its_settings_the_same_way()
    {
        var text = new PullRequest("default", Everything, "+8613900001234", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, ["k"]).ToString();
        foreach (var secret in Secrets)
        {
            text.ShouldNotContain(secret);
        }
    }

    [Fact]
    public async Task an_unreachable_api_is_a_transport_error_that_names_no_secret()
    {
        // A fake that has stopped leaves a loopback port nobody listens on.
        var api = await FakeAliyunApi.StartAsync();
        var settings = Everything with { Endpoint = api.BaseUrl };
        await api.DisposeAsync();
        using var http = new HttpClient();
        var request = new PullRequest("default", settings, "+8613900001234", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, ["biz:13900001234"]);

        IStatusQuery[] queries = [new AliyunQuery(http), new TencentQuery(http), new TwilioQuery(http)];
        foreach (var query in queries)
        {
            var answer = await query.QueryAsync(request, CancellationToken.None);
            answer.Error!.Kind.ShouldBe(PullErrorKind.Transport);
            answer.Body.ShouldBeEmpty();
            foreach (var secret in Secrets)
            {
                answer.ToString().ShouldNotContain(secret);
                answer.Error.Detail.ShouldNotContain(secret);
                answer.Request.Url.ShouldNotContain(secret);
                string.Concat(answer.Request.Headers.Select(h => h.Value)).ShouldNotContain(secret);
            }
        }
    }
}
