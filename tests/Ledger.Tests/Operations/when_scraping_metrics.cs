using Alba;
using Ledger.Tests.Support;
using static Ledger.Tests.Operations.PrometheusText;

namespace Ledger.Tests.Operations;

/// <summary>
/// A host of its own (own schema, same cluster) with an aliyun account named only here, so the series
/// this test asserts are its own whatever the other tests send.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_scraping_metrics(LedgerFixture fixture) : IAsyncLifetime
{
    private readonly string _account = "m" + Payloads.NewId();
    private const string Token = "metrics-token";
    private IAlbaHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "m" + Payloads.NewId()[..10], new Dictionary<string, string?>
        {
            [$"Ledger:Providers:aliyun:{_account}:Token"] = Token,
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> Scrape()
    {
        var client = _host.Server.CreateClient();
        using var response = await client.GetAsync("/metrics");
        ((int)response.StatusCode).ShouldBe(200);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task counters_and_histograms_count_exactly_what_was_received()
    {
        const int accepted = 3;
        const int rejected = 2;
        for (var i = 0; i < accepted; i++)
        {
            var biz = Payloads.NewId();
            var batch = Payloads.Array(Payloads.AliyunItem(biz, "13800000201", true), Payloads.AliyunItem(biz, "13800000202", false));
            (await _host.PostAsync($"/callbacks/aliyun/{_account}?token={Token}", batch)).Status.ShouldBe(200);
        }

        for (var i = 0; i < rejected; i++)
        {
            var batch = Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000203", true));
            (await _host.PostAsync($"/callbacks/aliyun/{_account}?token=wrong", batch)).Status.ShouldBe(401);
        }

        var text = await Scrape();
        (string, string)[] mine = [("provider", "aliyun"), ("account", _account)];

        Sample(text, "ledger_callbacks_received_total", mine).ShouldBe(accepted + rejected);
        Sample(text, "ledger_callbacks_accepted_total", mine).ShouldBe(accepted);
        Sample(text, "ledger_callbacks_rejected_total", [.. mine, ("reason", "bad_token")]).ShouldBe(rejected);
        Sample(text, "ledger_ingest_duration_seconds_count", [.. mine, ("outcome", "accepted")]).ShouldBe(accepted);
        Sample(text, "ledger_ingest_duration_seconds_count", [.. mine, ("outcome", "rejected")]).ShouldBe(rejected);
        Sample(text, "ledger_callback_items_count", mine).ShouldBe(accepted);
        Sample(text, "ledger_callback_items_sum", mine).ShouldBe(accepted * 2);
        Sample(text, "ledger_report_delay_seconds_count", mine).ShouldBe(accepted * 2);
        Sample(text, "ledger_commit_requests_count", ("outcome", "committed")).ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(1);
        Sample(text, "ledger_commit_duration_seconds_count", ("outcome", "committed")).ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task a_route_naming_an_unknown_provider_or_account_does_not_mint_a_series()
    {
        var made_up = "x" + Payloads.NewId();
        (await _host.PostAsync($"/callbacks/{made_up}", "[]")).Status.ShouldBe(404);
        (await _host.PostAsync($"/callbacks/aliyun/{made_up}", "[]")).Status.ShouldBe(404);

        var text = await Scrape();
        text.ShouldNotContain(made_up);
        Sample(text, "ledger_callbacks_rejected_total", ("provider", "unknown"), ("reason", "unknown_provider")).ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(1);
        Sample(text, "ledger_callbacks_rejected_total", ("provider", "aliyun"), ("account", "unknown"), ("reason", "unknown_account"))
            .ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(1);
    }
}
