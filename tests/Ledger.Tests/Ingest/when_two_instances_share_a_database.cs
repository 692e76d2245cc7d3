using Ledger.Projections;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Ingest;

[Collection(LedgerCollection.Name)]
public sealed class when_two_instances_share_a_database(LedgerFixture fixture)
{
    private const int Posts = 60;

    [Fact]
    public async Task concurrent_pushes_for_the_same_messages_through_both_are_all_recorded_once()
    {
        var schema = "two" + Payloads.NewId()[..8];
        await using var first = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema);
        await using var second = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema);
        var biz = Payloads.NewId();
        var phones = Enumerable.Range(0, 10).Select(i => $"137{i:D8}").ToArray();
        var batch = Payloads.Array(phones.Select(p => Payloads.AliyunItem(biz, p, true)).ToArray());
        var single = Payloads.Array(Payloads.AliyunItem(biz, phones[0], true));

        var posts = Enumerable.Range(0, Posts).Select(i =>
        {
            var host = i % 2 == 0 ? first : second;
            return host.PostAsync("/callbacks/aliyun", i % 3 == 0 ? single : batch);
        });
        var results = await Task.WhenAll(posts);

        results.ShouldAllBe(r => r.Status == 200);
        var singles = Enumerable.Range(0, Posts).Count(i => i % 3 == 0);
        var batches = Posts - singles;
        await using var session = first.Services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var phone in phones)
        {
            var expected = batches + (phone == phones[0] ? singles : 0);
            var events = await session.Events.FetchStreamAsync($"aliyun:{biz}:{phone}");
            events.Count.ShouldBe(expected * 2);
            events.Select(e => e.Version).ShouldBe(Enumerable.Range(1, expected * 2).Select(v => (long)v));
            var status = await session.LoadAsync<MessageStatus>($"aliyun:{biz}:{phone}");
            status!.CallbackCount.ShouldBe(expected, $"the inline document of {phone} lost an update");
            status.DuplicateCount.ShouldBe(expected - 1);
        }
    }
}
