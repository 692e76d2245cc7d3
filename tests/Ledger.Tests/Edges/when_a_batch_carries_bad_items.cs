using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Ledger.Tests.Providers.Twilio;
using Marten;

namespace Ledger.Tests.Edges;

/// <summary>
/// Partial batches (docs/rules.md): a batch whose body parses but some of whose items do not is accepted with
/// its good items appended, each bad item quarantined on its own with its index and reason, the raw request
/// kept whole, and the provider answered with its success reply (its retry could not fix a bad item). Before,
/// one bad item refused the whole batch, and the good reports sat in quarantine.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_batch_carries_bad_items(LedgerFixture fixture)
{
    [Fact]
    public async Task the_good_items_are_appended_and_each_bad_one_is_quarantined_with_its_index()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(
            Payloads.AliyunItem(biz, "13800002001", success: true),
            """{"success":true,"err_code":"DELIVERED"}""", // no biz_id: which message is it?
            Payloads.AliyunItem(biz, "13800002002", success: false),
            "42");

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/aliyun", body);

        status.ShouldBe(200);
        reply.ShouldContain("接收成功"); // Alibaba's success reply: it must not retry
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800002001")).Json.GetProperty("status").GetString().ShouldBe("delivered");
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800002002")).Json.GetProperty("status").GetString().ShouldBe("failed");

        var requestId = await RequestIdOf($"/messages/aliyun/{biz}:13800002002/history");
        var (_, request) = await fixture.Host.GetJsonAsync($"/requests/{requestId}", LedgerApi.AdminKey);
        request.GetProperty("outcome").GetString().ShouldBe(RequestOutcomes.Accepted);
        request.GetProperty("itemCount").GetInt32().ShouldBe(2);
        var refused = request.GetProperty("refusedItems").EnumerateArray().ToList();
        refused.Select(r => r.GetProperty("index").GetInt32()).ShouldBe([1, 3]);
        refused[0].GetProperty("reason").GetString().ShouldBe(RejectionReasons.MissingId);
        refused[1].GetProperty("reason").GetString().ShouldBe(RejectionReasons.Malformed);
        Convert.FromBase64String(request.GetProperty("bodyBase64").GetString()!).ShouldBe(System.Text.Encoding.UTF8.GetBytes(body));

        // The items keep their place in the request: the third item is item 2 in its message's history.
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800002002/history");
        history.GetProperty("events")[0].GetProperty("itemIndex").GetInt32().ShouldBe(2);

        await using var session = fixture.Store.QuerySession();
        var kept = (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId, 1))).Single().Data.ShouldBeOfType<RequestQuarantined>();
        kept.Reason.ShouldBe(RejectionReasons.MissingId);
        kept.RawItem.ShouldBe("""{"success":true,"err_code":"DELIVERED"}""");

        var (_, quarantine) = await fixture.Host.GetJsonAsync("/quarantine?provider=aliyun&pageSize=500", LedgerApi.AdminKey);
        var listed = quarantine.GetProperty("items").EnumerateArray().Single(q => q.GetProperty("requestId").GetGuid() == requestId);
        listed.GetProperty("refusedItems").GetArrayLength().ShouldBe(2);
        var (_, byReason) = await fixture.Host.GetJsonAsync("/quarantine?provider=aliyun&reason=missing_id&pageSize=500", LedgerApi.AdminKey);
        byReason.GetProperty("items").EnumerateArray().ShouldContain(q => q.GetProperty("requestId").GetGuid() == requestId);
    }

    [Fact]
    public async Task keys_longer_than_an_index_holds_are_refused_per_item_and_a_lone_one_gets_a_400()
    {
        var biz = Payloads.NewId();
        var longKey = biz + new string('x', 3000); // a btree index row holds ~2,700 bytes: this once was a 500
        var body = Payloads.Array(Payloads.AliyunItem(longKey, "13800002021", success: true), Payloads.AliyunItem(biz, "13800002022", success: true));

        (await fixture.Host.PostAsync("/callbacks/aliyun", body)).Status.ShouldBe(200);
        var (_, request) = await fixture.Host.GetJsonAsync($"/requests/{await RequestIdOf($"/messages/aliyun/{biz}:13800002022/history")}", LedgerApi.AdminKey);
        request.GetProperty("refusedItems")[0].GetProperty("reason").GetString().ShouldBe(RejectionReasons.TooLong);

        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(longKey, "13800002023", success: true)));
        status.ShouldBe(400, problem);
        var quarantined = await fixture.QuarantinedRecord(problem);
        quarantined.Reason.ShouldBe(RejectionReasons.TooLong);
        quarantined.Body.Length.ShouldBeGreaterThan(3000); // kept whole

        var longPhone = Payloads.AliyunItem(biz, "1" + new string('3', 400), success: true);
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(longPhone))).Status.ShouldBe(400);
    }

    [Fact]
    public async Task more_items_than_a_request_may_carry_is_a_413_kept_in_quarantine()
    {
        var biz = Payloads.NewId();
        var items = Enumerable.Range(0, BatchItems.MaxItems + 1).Select(i => Payloads.AliyunItem(biz, $"1380{i:D7}", success: true)).ToArray();

        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(items));

        status.ShouldBe(413, problem);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.TooManyItems);
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000000")).Status.ShouldBe(404);
    }

    private async Task<Guid> RequestIdOf(string historyUrl)
    {
        var (status, history) = await fixture.Host.GetJsonAsync(historyUrl);
        status.ShouldBe(200);
        return history.GetProperty("events")[0].GetProperty("requestId").GetGuid();
    }
}
