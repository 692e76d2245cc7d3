using Ledger.Tests.Support;

namespace Ledger.Tests.Operations;

[Collection(LedgerCollection.Name)]
public sealed class when_checking_health(LedgerFixture fixture)
{
    [Fact]
    public async Task live_answers_200_without_asking_the_database()
    {
        var (status, json) = await fixture.Host.GetJsonAsync("/health/live");
        status.ShouldBe(200);
        json.GetProperty("status").GetString().ShouldBe("alive");
    }

    [Fact]
    public async Task ready_answers_200_when_the_database_answers_and_the_outbox_is_under_its_limit()
    {
        var (status, json) = await fixture.Host.GetJsonAsync("/health/ready");
        status.ShouldBe(200);
        json.GetProperty("status").GetString().ShouldBe("healthy");
        json.GetProperty("database").GetString().ShouldBe("up");
        json.GetProperty("outboxBacklog").GetInt64().ShouldBeLessThanOrEqualTo(json.GetProperty("maxOutboxBacklog").GetInt64());
        json.GetProperty("maxOutboxBacklog").GetInt64().ShouldBe(10_000);
    }

    [Fact]
    public async Task health_keeps_its_meaning()
    {
        var (status, json) = await fixture.Host.GetJsonAsync("/health");
        status.ShouldBe(200);
        json.GetProperty("database").GetString().ShouldBe("up");
    }
}
