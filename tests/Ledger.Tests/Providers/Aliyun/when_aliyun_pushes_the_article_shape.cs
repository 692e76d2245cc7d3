using Ledger.Tests.Support;

namespace Ledger.Tests.Providers.Aliyun;

/// <summary>
/// Reports with receive_time and err_code, on the usual domestic route, read back through the public API
/// only (the storage behind it is not part of the contract).
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_aliyun_pushes_the_article_shape(LedgerFixture fixture)
{
    private const string Received = """{"code":0,"msg":"接收成功"}""";

    [Fact]
    public async Task a_batch_is_acknowledged_and_delivrd_reads_back_delivered_and_any_other_code_failed()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(
            AliyunArticlePayloads.Item(biz, "13800000011"),
            AliyunArticlePayloads.Item(biz, "13800000012", "MK:0001", "\"2026-11-25 10:33:00\""));

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/aliyun", body);

        status.ShouldBe(200);
        reply.ShouldBe(Received);
        contentType!.ShouldContain("application/json");

        var (found, delivered) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000011");
        found.ShouldBe(200);
        delivered.GetProperty("status").GetString().ShouldBe("delivered");
        delivered.GetProperty("final").GetBoolean().ShouldBeTrue();
        delivered.GetProperty("providerStatus").GetString().ShouldBe("DELIVRD");
        delivered.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        delivered.GetProperty("billedParts").GetInt32().ShouldBe(2);
        delivered.GetProperty("outId").GetString().ShouldBe("order-7");
        delivered.GetProperty("parserVersion").GetString().ShouldBe("aliyun-receive-time/1");

        var (_, failed) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000012");
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("final").GetBoolean().ShouldBeTrue();
        failed.GetProperty("providerStatus").GetString().ShouldBe("MK:0001");
        failed.GetProperty("errorCode").GetString().ShouldBe("MK:0001");
        failed.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:33:00Z"));
    }

    [Fact]
    public async Task a_lone_object_with_unix_seconds_is_read_as_one_report()
    {
        var biz = Payloads.NewId();

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/aliyun", AliyunArticlePayloads.Item(biz, "13800000013", receiveTime: "1795573925"));

        status.ShouldBe(200);
        reply.ShouldBe(Received);
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000013");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        view.GetProperty("parserVersion").GetString().ShouldBe("aliyun-receive-time/1");
    }

    [Fact]
    public async Task a_later_delivrd_supersedes_an_earlier_sms_report_failure_of_the_same_message()
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(
            Payloads.AliyunItem(biz, "13800000014", success: false, reportTime: "2026-11-25 10:32:05")))).Status.ShouldBe(200);

        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(
            AliyunArticlePayloads.Item(biz, "13800000014", receiveTime: "\"2026-11-25 10:40:00\"")))).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000014");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:40:00Z"));
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
        view.GetProperty("parserVersion").GetString().ShouldBe("aliyun-receive-time/1");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task a_report_without_err_code_gets_400_and_is_kept_in_quarantine(bool inArray)
    {
        var biz = Payloads.NewId();
        var item = $$"""{"phone_number":"13800000015","receive_time":"2026-11-25 10:32:05","biz_id":"{{biz}}"}""";
        var body = inArray ? Payloads.Array(item) : item;

        var (status, problem, contentType) = await fixture.Host.PostAsync("/callbacks/aliyun", body);

        status.ShouldBe(400);
        contentType!.ShouldContain("application/problem+json");
        var read = await fixture.Host.ShouldBeQuarantinedAsync("aliyun", problem, "malformed", body);
        read.GetProperty("detail").GetString()!.ShouldContain("err_code is required");
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000015")).Status.ShouldBe(404);
    }
}
