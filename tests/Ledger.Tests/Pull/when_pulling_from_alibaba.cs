using System.Text;
using Ledger.Events;
using Ledger.Providers.Aliyun;
using Ledger.Providers.Pull;
using Ledger.Tests.Pull.Fakes;

namespace Ledger.Tests.Pull;

/// <summary>AliyunQuery against a local dysmsapi that checks the signature with code of its own.</summary>
public sealed class when_pulling_from_alibaba : IAsyncLifetime
{
    private const string Key = "134523^435****:13900001234";
    private static readonly DateTimeOffset SentAt = DateTimeOffset.Parse("2026-03-01T17:30:00Z");
    private FakeAliyunApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeAliyunApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private PullSettings Settings(string id = FakeAliyunApi.AccessKeyId, string secret = FakeAliyunApi.AccessKeySecret) =>
        new() { AccessKeyId = id, AccessKeySecret = secret, Endpoint = _api.BaseUrl };

    private Task<PullAnswer> Query(PullSettings settings) =>
        new AliyunQuery(_api.Http).QueryAsync(new PullRequest("shop", settings, null, SentAt, SentAt.AddHours(2), [Key]), CancellationToken.None);

    [Fact]
    public async Task the_documented_answer_is_read_and_kept_byte_for_byte()
    {
        var answer = await Query(Settings());

        answer.Error.ShouldBeNull();
        var exchange = _api.Exchanges.ShouldHaveSingleItem();
        exchange.Reply.Status.ShouldBe(200); // the fake verified the signature independently
        answer.HttpStatus.ShouldBe(200);
        answer.Body.ShouldBe(Encoding.UTF8.GetBytes(DocumentedAnswers.AliyunQuerySendDetails));
        answer.Reports[Key].ShouldHaveSingleItem().Report.Status.ShouldBe(DeliveryStatus.Delivered);
    }

    [Fact]
    public async Task the_query_asks_for_the_message_on_its_beijing_send_date()
    {
        await Query(Settings());

        var sent = _api.Exchanges.ShouldHaveSingleItem().Request.QueryParameters().ToDictionary(p => p.Key, p => p.Value);
        sent["Action"].ShouldBe("QuerySendDetails");
        sent["Version"].ShouldBe("2017-05-25");
        sent["PhoneNumber"].ShouldBe("13900001234");
        sent["BizId"].ShouldBe("134523^435****");
        sent["SendDate"].ShouldBe("20260302");
        sent["PageSize"].ShouldBe("50");
        sent["CurrentPage"].ShouldBe("1");
    }

    [Fact]
    public async Task the_recorded_request_carries_neither_key_id_nor_signature_nor_secret()
    {
        var answer = await Query(Settings());

        answer.Request.Method.ShouldBe("GET");
        answer.Request.Url.ShouldContain("AccessKeyId=%5Bredacted%5D");
        answer.Request.Url.ShouldContain("Signature=%5Bredacted%5D");
        answer.Request.Url.ShouldNotContain(FakeAliyunApi.AccessKeyId);
        answer.Request.Url.ShouldNotContain(_api.Exchanges.Single().Request.QueryParameters().Single(p => p.Key == "Signature").Value);
        answer.ToString().ShouldNotContain(FakeAliyunApi.AccessKeySecret);
    }

    [Fact]
    public async Task a_wrong_secret_is_a_credential_error()
    {
        var answer = await Query(Settings(secret: "not-the-secret"));

        answer.CredentialsRefused.ShouldBeTrue();
        answer.Error!.ProviderCode.ShouldBe("SignatureDoesNotMatch");
        answer.Reports.ShouldBeEmpty();
        answer.Body.ShouldNotBeEmpty(); // the refusal is evidence too
    }

    [Fact]
    public async Task an_unknown_key_id_is_a_credential_error() =>
        (await Query(Settings(id: "LTAI-nobody"))).Error!.ProviderCode.ShouldBe("InvalidAccessKeyId.NotFound");

    [Theory]
    [InlineData(false, "Throttling.User")]
    [InlineData(true, "isv.BUSINESS_LIMIT_CONTROL")]
    public async Task throttling_is_reported_as_throttled(bool businessLimit, string code)
    {
        _api.Throttle = true;
        _api.ThrottleAsBusinessLimit = businessLimit;

        var answer = await Query(Settings());

        answer.Throttled.ShouldBeTrue();
        answer.Error!.ProviderCode.ShouldBe(code);
    }

    [Fact]
    public async Task every_call_signs_with_a_fresh_nonce()
    {
        await Query(Settings());
        var second = await Query(Settings());

        second.Error.ShouldBeNull(); // the fake refuses a reused SignatureNonce
        _api.Exchanges.Count.ShouldBe(2);
    }

    [Fact]
    public async Task missing_settings_send_nothing_and_name_the_keys_to_set()
    {
        var answer = await Query(new PullSettings { AccessKeyId = FakeAliyunApi.AccessKeyId, Endpoint = _api.BaseUrl });

        answer.Error!.Kind.ShouldBe(PullErrorKind.Configuration);
        answer.Error.Detail.ShouldContain("Ledger__Providers__aliyun__shop__Pull__AccessKeySecret");
        _api.Exchanges.ShouldBeEmpty();
    }
}
