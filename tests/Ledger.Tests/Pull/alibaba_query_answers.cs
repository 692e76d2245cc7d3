using System.Text;
using Ledger.Events;
using Ledger.Providers.Aliyun;
using Ledger.Providers.Pull;
using Ledger.Tests.Pull.Fakes;
using Ledger.Time;

namespace Ledger.Tests.Pull;

/// <summary>Reading QuerySendDetails answers into reports, and asking it the right question.</summary>
public sealed class alibaba_query_answers
{
    private static readonly AliyunQuery.Ask Ask = new("134523^435****", "1390000****", "20190108", 1);

    private static PullReading Read(string body, int status = 200, AliyunQuery.Ask? ask = null) => AliyunQuery.Read(status, Encoding.UTF8.GetBytes(body), ask ?? Ask);

    private static string Item(string item) => $$$"""{"Code":"OK","Message":"OK","TotalCount":1,"SmsSendDetailDTOs":{"SmsSendDetailDTO":[{{{item}}}]}}""";

    private static PullRequest Request(DateTimeOffset from, params string[] keys) => new("default", new PullSettings(), null, from, from.AddHours(1), keys);

    [Fact]
    public void the_documented_answer_is_one_delivered_report_keyed_like_the_push()
    {
        var reading = Read(DocumentedAnswers.AliyunQuerySendDetails);

        reading.Error.ShouldBeNull();
        reading.NextPage.ShouldBeNull();
        var pulled = reading.Reports.ShouldHaveSingleItem();
        pulled.MessageKey.ShouldBe("134523^435****:1390000****");
        pulled.RawItem.ShouldContain("\"ErrCode\": \"DELIVERED\"");
        pulled.Report.ShouldBe(new Report(DeliveryStatus.Delivered, true, "DELIVERED", null, null,
            new ProviderTime("2019-01-08 16:44:13", DateTimeOffset.Parse("2019-01-08T08:44:13Z"), ProviderTimes.BeijingRule),
            "1390000****", "12131231", null, "aliyun-pull/1"));
    }

    [Fact]
    public void a_failed_send_keeps_the_carrier_code_as_error() =>
        Read(Item("""{"SendStatus":2,"ErrCode":"MK:0001","PhoneNum":"1390000****","ReceiveDate":"2019-01-08 16:44:13"}"""))
            .Reports.ShouldHaveSingleItem().Report.ShouldSatisfyAllConditions(
                r => r.Status.ShouldBe(DeliveryStatus.Failed),
                r => r.Final.ShouldBeTrue(),
                r => r.ErrorCode.ShouldBe("MK:0001"),
                r => r.ProviderStatus.ShouldBe("MK:0001"));

    [Fact]
    public void waiting_for_a_receipt_is_pending_and_not_final() =>
        Read(Item("""{"SendStatus":1,"PhoneNum":"1390000****","SendDate":"2019-01-08 16:44:10"}"""))
            .Reports.ShouldHaveSingleItem().Report.ShouldSatisfyAllConditions(
                r => r.Status.ShouldBe(DeliveryStatus.Pending),
                r => r.Final.ShouldBeFalse(),
                r => r.ProviderTime.ShouldBeNull());

    [Fact]
    public void more_items_than_one_page_holds_asks_for_the_next_page() =>
        Read("""{"Code":"OK","TotalCount":51,"SmsSendDetailDTOs":{"SmsSendDetailDTO":[]}}""").NextPage.ShouldBe(2);

    [Theory]
    [InlineData("Throttling.User", PullErrorKind.Throttled)]
    [InlineData("isv.BUSINESS_LIMIT_CONTROL", PullErrorKind.Throttled)]
    [InlineData("InvalidAccessKeyId.NotFound", PullErrorKind.Credentials)]
    [InlineData("SignatureDoesNotMatch", PullErrorKind.Credentials)]
    [InlineData("isv.MOBILE_NUMBER_ILLEGAL", PullErrorKind.Provider)]
    public void an_error_code_says_what_to_do_whatever_the_http_status(string code, PullErrorKind kind)
    {
        var reading = Read(DocumentedAnswers.AliyunError(code, "message"), status: 400);
        reading.Reports.ShouldBeEmpty();
        reading.Error!.Kind.ShouldBe(kind);
        reading.Error.ProviderCode.ShouldBe(code);
    }

    [Fact]
    public void a_body_that_is_not_json_is_unreadable_not_an_exception() =>
        Read("<html>502 Bad Gateway</html>", status: 502).Error!.Kind.ShouldBe(PullErrorKind.Unreadable);

    [Fact]
    public void send_date_is_the_beijing_date_of_the_send() =>
        AliyunQuery.AskFor(Request(DateTimeOffset.Parse("2026-03-01T17:30:00Z"), "134523^435****:13900001234"))
            .ShouldBe(new AliyunQuery.Ask("134523^435****", "13900001234", "20260302", 1));

    [Theory]
    [InlineData]
    [InlineData("no-phone")]
    [InlineData("a:1", "b:2")]
    public void a_call_asks_about_exactly_one_biz_id_and_phone(params string[] keys) =>
        Should.Throw<ArgumentException>(() => AliyunQuery.AskFor(Request(DateTimeOffset.UnixEpoch, keys)));
}
