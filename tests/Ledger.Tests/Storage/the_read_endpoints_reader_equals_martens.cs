using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Tests.Reconciliation;
using Ledger.Tests.Support;
using Ledger.Web.Messages;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Storage;

/// <summary>
/// The read endpoints read message documents through their own multiplexed reader (MessageDocuments), not a
/// Marten session: it must give exactly what Marten's LoadAsync gives, for every kind of document.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class the_read_endpoints_reader_equals_martens(LedgerFixture fixture)
{
    [Fact]
    public async Task every_document_reads_back_as_marten_loads_it()
    {
        var biz = Payloads.NewId();
        var failure = Payloads.AliyunItem(biz, "13900000801", success: false, reportTime: "2026-11-25 10:30:00", errCode: "MK:0005");
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(failure, failure,
            Payloads.AliyunItem(biz, "13900000802", success: true)))).Status.ShouldBe(200);
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13900000801", success: true, reportTime: "2026-11-25 10:31:00"))))
            .Status.ShouldBe(200);
        var registered = $"reg-{Payloads.NewId()}";
        await fixture.Host.RegisterAsync(Finance.Sent("tencent", registered, "2026-11-25T02:00:00Z"));

        var reader = fixture.Host.Services.GetRequiredService<MessageDocuments>();
        await using var session = fixture.Store.QuerySession();
        foreach (var key in new[] { $"aliyun:{biz}:13900000801", $"aliyun:{biz}:13900000802", StreamKeys.Message("tencent", registered) })
        {
            var marten = await session.LoadAsync<Message>(key);
            marten.ShouldNotBeNull(key);
            JsonSerializer.Serialize(await reader.LoadAsync(key, CancellationToken.None)).ShouldBe(JsonSerializer.Serialize(marten), key);
        }

        (await reader.LoadAsync($"aliyun:{biz}:no-such-message", CancellationToken.None)).ShouldBeNull();
    }
}
