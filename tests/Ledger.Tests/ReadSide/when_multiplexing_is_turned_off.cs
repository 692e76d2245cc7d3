using Ledger.Tests.Support;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// `Multiplexing=false` in the connection string turns the read pool's multiplexing off (README,
/// Operations). A connection then holds a physical one while open, so reads must not keep idle
/// connections: more concurrent reads than the pool's 8 connections all succeed, and keep succeeding.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_multiplexing_is_turned_off(LedgerFixture fixture)
{
    [Fact]
    public async Task more_concurrent_reads_than_connections_all_succeed_again_and_again()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString + ";Multiplexing=false", "mx" + Payloads.NewId()[..8],
            TestAccounts.Load());
        var biz = Payloads.NewId();
        (await host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000401", success: true)))).Status.ShouldBe(200);

        for (var wave = 0; wave < 3; wave++)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
                (await host.GetJsonAsync(i % 2 == 0 ? $"/messages/aliyun/{biz}:13800000401/history" : $"/messages/aliyun/{biz}:13800000401")).Status));
            statuses.ShouldAllBe(s => s == 200);
        }
    }
}
