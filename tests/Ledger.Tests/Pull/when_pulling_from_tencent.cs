using System.Text;
using System.Text.Json;
using Ledger.Providers.Pull;
using Ledger.Providers.Tencent;
using Ledger.Tests.Pull.Fakes;

namespace Ledger.Tests.Pull;

/// <summary>TencentQuery against a local sms API that rebuilds the TC3 signature from what it received.</summary>
public sealed class when_pulling_from_tencent : IAsyncLifetime
{
    private static readonly DateTimeOffset From = DateTimeOffset.FromUnixTimeSeconds(1620734100);
    private FakeTencentApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeTencentApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private PullSettings Settings(string id = FakeTencentApi.SecretId, string key = FakeTencentApi.SecretKey) =>
        new() { SecretId = id, SecretKey = key, SdkAppId = FakeTencentApi.SdkAppId, Region = "ap-guangzhou", Endpoint = _api.BaseUrl };

    private Task<PullAnswer> Query(PullSettings settings) =>
        new TencentQuery(_api.Http).QueryAsync(new PullRequest("default", settings, "+8615291996666", From, From.AddSeconds(100), []), CancellationToken.None);

    [Fact]
    public async Task the_documented_answer_is_read_and_kept_byte_for_byte()
    {
        var answer = await Query(Settings());

        answer.Error.ShouldBeNull();
        _api.Exchanges.ShouldHaveSingleItem().Reply.Status.ShouldBe(200);
        answer.Body.ShouldBe(Encoding.UTF8.GetBytes(DocumentedAnswers.TencentPullSmsSendStatusByPhoneNumber));
        answer.Reports.Keys.ShouldBe(["14:19325917feb3914eb78b50d6182d7e452e", "14:19325917feb3914eb78b50d6182d7e456f"], ignoreOrder: true);
    }

    [Fact]
    public async Task the_body_sent_is_the_body_signed_and_the_one_recorded()
    {
        var answer = await Query(Settings());

        var received = _api.Exchanges.Single().Request;
        var body = Encoding.UTF8.GetString(received.Body);
        answer.Request.Body.ShouldBe(body);
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("PhoneNumber").GetString().ShouldBe("+8615291996666");
        json.RootElement.GetProperty("SmsSdkAppId").GetString().ShouldBe(FakeTencentApi.SdkAppId);
        json.RootElement.GetProperty("BeginTime").GetInt64().ShouldBe(1620734100);
        json.RootElement.GetProperty("EndTime").GetInt64().ShouldBe(1620734200);
        json.RootElement.GetProperty("Limit").GetInt32().ShouldBe(100);
        received.Header("X-TC-Action").ShouldBe("PullSmsSendStatusByPhoneNumber");
        received.Header("X-TC-Version").ShouldBe("2021-01-11");
        received.Header("X-TC-Region").ShouldBe("ap-guangzhou");
        received.Header("Host").ShouldBe(new Uri(_api.BaseUrl).Authority);
    }

    [Fact]
    public async Task the_recorded_request_has_no_authorization_and_no_secret()
    {
        var answer = await Query(Settings());

        answer.Request.Headers.Single(h => h.Key == "Authorization").Value.ShouldBe(SentRequest.Redacted);
        answer.ToString().ShouldNotContain(FakeTencentApi.SecretKey);
        string.Concat(answer.Request.Headers.Select(h => h.Value)).ShouldNotContain(FakeTencentApi.SecretId);
    }

    [Fact]
    public async Task a_wrong_secret_key_is_a_credential_error()
    {
        var answer = await Query(Settings(key: "not-the-key"));

        answer.CredentialsRefused.ShouldBeTrue();
        answer.Error!.ProviderCode.ShouldBe("AuthFailure.SignatureFailure");
    }

    [Fact]
    public async Task an_unknown_secret_id_is_a_credential_error() =>
        (await Query(Settings(id: "AKIDnobody"))).Error!.ProviderCode.ShouldBe("AuthFailure.SecretIdNotFound");

    [Fact]
    public async Task request_limit_exceeded_is_throttled()
    {
        _api.Throttle = true;

        var answer = await Query(Settings());

        answer.Throttled.ShouldBeTrue();
        answer.Error!.ProviderCode.ShouldBe("RequestLimitExceeded");
    }

    [Fact]
    public async Task a_query_without_phone_number_is_refused_before_sending() =>
        await Should.ThrowAsync<ArgumentException>(() =>
            new TencentQuery(_api.Http).QueryAsync(new PullRequest("default", Settings(), null, From, From, []), CancellationToken.None));
}
