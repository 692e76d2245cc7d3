using Ledger.Tests.Support;

namespace Ledger.Tests.Edges;

/// <summary>
/// An Alibaba message key is `{biz_id}:{phone}`: support and finance see it with the phone masked, as the phone
/// field is (before, the whole number showed in the key beside the masked field); admin sees it whole. The
/// masked key is still the message's address for support: the read endpoints find the one stored key it stands
/// for, or say it is ambiguous.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_support_reads_a_masked_key(LedgerFixture fixture)
{
    [Fact]
    public async Task support_sees_the_key_masked_and_the_masked_key_opens_the_message()
    {
        var biz = Payloads.NewId();
        const string phone = "13812345678";
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phone, success: true)))).Status.ShouldBe(200);
        var masked = $"{biz}:138****5678";

        var (_, found) = await fixture.Host.GetJsonAsync($"/messages?phone={phone}", LedgerApi.SupportKey);
        found.GetProperty("items").EnumerateArray().Single().GetProperty("messageKey").GetString().ShouldBe(masked);

        var (status, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString(masked)}", LedgerApi.SupportKey);
        status.ShouldBe(200);
        view.GetProperty("messageKey").GetString().ShouldBe(masked);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        var (historyStatus, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString(masked)}/history", LedgerApi.SupportKey);
        historyStatus.ShouldBe(200);
        history.GetProperty("messageKey").GetString().ShouldBe(masked);
        history.GetProperty("events").GetArrayLength().ShouldBe(1);

        var (_, whole) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}", LedgerApi.AdminKey);
        whole.GetProperty("messageKey").GetString().ShouldBe($"{biz}:{phone}");
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:{phone}", LedgerApi.SupportKey)).Json.GetProperty("messageKey").GetString().ShouldBe(masked);

        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString($"{biz}:139****5678")}", LedgerApi.SupportKey)).Status.ShouldBe(404);
    }

    [Fact]
    public async Task two_messages_that_mask_alike_are_ambiguous_and_the_phone_tells_them_apart()
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun",
            Payloads.Array(Payloads.AliyunItem(biz, "13811110001", success: true), Payloads.AliyunItem(biz, "13822220001", success: false)))).Status.ShouldBe(200);

        var (status, problem) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString($"{biz}:138****0001")}", LedgerApi.SupportKey);

        status.ShouldBe(409);
        problem.GetProperty("title").GetString().ShouldBe("ambiguous_key");
        var (_, byPhone) = await fixture.Host.GetJsonAsync("/messages?phone=13822220001", LedgerApi.SupportKey);
        byPhone.GetProperty("items").EnumerateArray().Single().GetProperty("status").GetString().ShouldBe("failed");
    }
}
