using System.Text;
using Ledger.Events;
using Ledger.Providers.Pull;
using Ledger.Providers.Twilio;
using Ledger.Tests.Pull.Fakes;

namespace Ledger.Tests.Pull;

/// <summary>TwilioQuery against a local api.twilio.com that checks Basic auth.</summary>
public sealed class when_pulling_from_twilio : IAsyncLifetime
{
    private FakeTwilioApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeTwilioApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private PullSettings Settings(string token = FakeTwilioApi.AuthToken) =>
        new() { AccountSid = FakeTwilioApi.AccountSid, AuthToken = token, Endpoint = _api.BaseUrl };

    private Task<PullAnswer> Query(PullSettings settings, string sid = FakeTwilioApi.DocumentedSid) =>
        new TwilioQuery(_api.Http).QueryAsync(new PullRequest("default", settings, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [sid]), CancellationToken.None);

    [Fact]
    public async Task the_documented_resource_is_read_and_kept_byte_for_byte()
    {
        var answer = await Query(Settings());

        answer.Error.ShouldBeNull();
        answer.Body.ShouldBe(Encoding.UTF8.GetBytes(DocumentedAnswers.TwilioMessage));
        answer.Reports[FakeTwilioApi.DocumentedSid].ShouldHaveSingleItem().Report.ProviderStatus.ShouldBe("sent");
        _api.Exchanges.Single().Request.Path.ShouldBe($"/2010-04-01/Accounts/{FakeTwilioApi.AccountSid}/Messages/{FakeTwilioApi.DocumentedSid}.json");
    }

    [Fact]
    public async Task a_delivered_message_is_delivered()
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        _api.Messages[sid] = DocumentedAnswers.TwilioMessage.Replace(FakeTwilioApi.DocumentedSid, sid).Replace("\"status\": \"sent\"", "\"status\": \"delivered\"");

        var report = (await Query(Settings(), sid)).Reports[sid].Single().Report;

        report.Status.ShouldBe(DeliveryStatus.Delivered);
        report.Final.ShouldBeTrue();
    }

    [Fact]
    public async Task the_recorded_request_has_no_authorization()
    {
        var answer = await Query(Settings());

        answer.Request.Headers.Single(h => h.Key == "Authorization").Value.ShouldBe(SentRequest.Redacted);
        answer.ToString().ShouldNotContain(FakeTwilioApi.AuthToken);
    }

    [Fact]
    public async Task a_wrong_auth_token_is_a_credential_error()
    {
        var answer = await Query(Settings(token: "wrong"));

        answer.HttpStatus.ShouldBe(401);
        answer.CredentialsRefused.ShouldBeTrue();
        answer.Error!.ProviderCode.ShouldBe("20003");
    }

    [Fact]
    public async Task too_many_requests_is_throttled_with_twilios_delay()
    {
        _api.Throttle = true;

        var answer = await Query(Settings());

        answer.Throttled.ShouldBeTrue();
        answer.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task an_unknown_message_finds_nothing_and_says_so()
    {
        var answer = await Query(Settings(), "SM00000000000000000000000000000000");

        answer.Reports.ShouldBeEmpty();
        answer.Error!.ProviderCode.ShouldBe("20404");
    }
}
