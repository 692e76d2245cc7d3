using Ledger.Tests.Providers.Ronglian;
using Ledger.Tests.Support;
using static Ledger.Tests.Providers.Twilio.TwilioRequests;

namespace Ledger.Tests.Categories;

/// <summary>
/// A sample of each provider's documented codes, pushed the way that provider pushes them and read back through
/// the API: the category and retryable flag are stored with the report, not worked out at read time.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_documented_codes_arrive(LedgerFixture fixture)
{
    private async Task ShouldReadBack(string provider, string key, string category, bool retryable)
    {
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/{provider}/{key}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("category").GetString().ShouldBe(category);
        view.GetProperty("retryable").GetBoolean().ShouldBe(retryable);

        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/{provider}/{key}/history");
        var entry = history.GetProperty("events").EnumerateArray().Single();
        entry.GetProperty("category").GetString().ShouldBe(category);
        entry.GetProperty("retryable").GetBoolean().ShouldBe(retryable);
    }

    [Theory]
    [InlineData("30003", "unreachable", true)]          // Unreachable destination handset
    [InlineData("30005", "invalid_number", false)]      // Unknown destination handset
    [InlineData("30006", "invalid_number", false)]      // Landline or unreachable carrier
    [InlineData("30007", "blocked", false)]             // Message filtered
    [InlineData("30022", "rate_limited", true)]         // US A2P 10DLC - Rate Limits Exceeded
    [InlineData("30034", "carrier_rejected", false)]    // US A2P 10DLC - Message from an Unregistered Number
    [InlineData("30036", "expired", true)]              // Validity Period Expired
    [InlineData("30500", "unknown", true)]              // Twilio Internal Error: try again
    [InlineData("30013", "unknown", false)]             // title not read: stays unknown
    public async Task a_twilio_error_code_is_categorized_as_its_dictionary_page_says(string errorCode, string category, bool retryable)
    {
        var sid = NewSid();
        var parameters = StatusCallback(sid, "undelivered", errorCode: errorCode);

        (await fixture.Host.PostFormAsync("/callbacks/twilio", FormBody(parameters),
            [new("X-Twilio-Signature", Sign("new-token", LocalUrl, parameters))])).Status.ShouldBe(200);

        await ShouldReadBack("twilio", sid, category, retryable);
    }

    [Theory]
    [InlineData("-106", "blocked", false)]              // 运营商关键字拦截
    [InlineData("002", "unreachable", true)]            // 关机/停机/无法接通手机/不在服务区
    [InlineData("MK:0005", "invalid_number", false)]    // carrier stat passed through: 停机
    [InlineData("MI:0061", "rate_limited", true)]       // carrier stat passed through: 网关流控
    [InlineData("EXPIRED", "expired", true)]
    public async Task a_tencent_errmsg_is_categorized_from_tencents_codes_then_the_carriers(string errmsg, string category, bool retryable)
    {
        var sid = Payloads.NewId();

        (await fixture.Host.PostAsync("/callbacks/tencent", Payloads.Array(Payloads.TencentItem(sid, "FAIL", errmsg: errmsg)))).Status.ShouldBe(200);

        await ShouldReadBack("tencent", sid, category, retryable);
    }

    [Theory]
    [InlineData("MK:0001", "invalid_number", false)]    // 不存在的用户
    [InlineData("DB:0144", "blocked", false)]           // 网关黑名单
    [InlineData("IB:0008", "rate_limited", true)]       // 流量控制错
    [InlineData("REJECTD", "carrier_rejected", false)]
    [InlineData("UNDELIV", "unknown", false)]           // 停机 or powered off: the code does not say which
    public async Task a_ronglian_deliver_code_is_read_as_the_carrier_stat_it_is(string deliverCode, string category, bool retryable)
    {
        var sid = Payloads.NewId();

        (await fixture.Host.PostAsync("/callbacks/ronglian", RonglianPayloads.Json(sid, status: "1", deliverCode: deliverCode))).Status.ShouldBe(200);

        await ShouldReadBack("ronglian", sid, category, retryable);
    }

    [Fact]
    public async Task a_ronglian_form_failure_code_nobody_documents_stays_unknown_and_not_retryable()
    {
        var sid = Payloads.NewId();

        (await fixture.Host.PostAsync("/callbacks/ronglian", RonglianFormPayloads.Form(sid, "160038"), RonglianFormPayloads.FormType)).Status.ShouldBe(200);

        await ShouldReadBack("ronglian", sid, "unknown", false);
    }
}
