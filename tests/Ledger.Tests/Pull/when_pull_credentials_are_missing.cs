using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.Pull;

/// <summary>
/// An account whose query-API credentials are incomplete (the shared twilio `default` account has callback
/// secrets only) is refused before anything is queued or sent, with the same keys verify-config names.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_pull_credentials_are_missing(LedgerFixture fixture) : IAsyncLifetime
{
    private PullHost _pull = null!;

    public async Task InitializeAsync() => _pull = await PullHost.StartAsync(fixture);

    public async Task DisposeAsync() => await _pull.DisposeAsync();

    [Fact]
    public async Task starting_a_pull_is_refused_with_the_keys_to_set()
    {
        var (status, body, _) = await _pull.Host.PostAsync("/pulls",
            JsonSerializer.Serialize(new { provider = "twilio", account = "default", from = PullHost.Now().AddHours(-1), to = PullHost.Now() }),
            apiKey: LedgerApi.AdminKey);

        status.ShouldBe(400, body);
        body.ShouldContain("Ledger__Providers__twilio__default__Pull__AccountSid");
        body.ShouldContain("Ledger__Providers__twilio__default__Pull__AuthToken");
    }

    [Fact]
    public async Task asking_about_one_message_is_refused_the_same_way()
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");

        var (status, body, _) = await _pull.Host.PostAsync($"/messages/twilio/{sid}/pull", "", apiKey: LedgerApi.SupportKey);

        status.ShouldBe(400, body);
        body.ShouldContain("Ledger__Providers__twilio__default__Pull__AuthToken");
        (await _pull.Host.GetJsonAsync($"/messages/twilio/{sid}")).Status.ShouldBe(404); // nothing was recorded
    }
}
