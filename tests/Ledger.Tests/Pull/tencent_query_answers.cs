using System.Text;
using Ledger.Events;
using Ledger.Providers.Pull;
using Ledger.Providers.Tencent;
using Ledger.Tests.Pull.Fakes;
using Ledger.Time;

namespace Ledger.Tests.Pull;

/// <summary>Reading PullSmsSendStatusByPhoneNumber answers into reports.</summary>
public sealed class tencent_query_answers
{
    private static PullReading Read(string body) => TencentQuery.Read(200, Encoding.UTF8.GetBytes(body));

    [Fact]
    public void the_documented_answer_is_one_delivered_report_per_serial_no()
    {
        var reading = Read(DocumentedAnswers.TencentPullSmsSendStatusByPhoneNumber);

        reading.Error.ShouldBeNull();
        reading.Reports.Select(r => r.MessageKey).ShouldBe(["14:19325917feb3914eb78b50d6182d7e452e", "14:19325917feb3914eb78b50d6182d7e456f"]);
        reading.Reports[0].Report.ShouldBe(new Report(DeliveryStatus.Delivered, true, "SUCCESS", "DELIVRD", "DELIVRD",
            new ProviderTime("1620734188", DateTimeOffset.Parse("2021-05-11T11:56:28Z"), ProviderTimes.EpochSecondsRule),
            "+8615291996666", null, null, "tencent-pull/1"));
        reading.Reports[0].RawItem.ShouldContain("\"SerialNo\": \"14:19325917feb3914eb78b50d6182d7e452e\"");
    }

    [Fact]
    public void a_failure_carries_its_receipt_code_and_the_session_context() =>
        Read("""{"Response":{"PullSmsSendStatusSet":[{"SerialNo":"5000:1","ReportStatus":"FAIL","Description":"MK:0001","CountryCode":"86","SubscriberNumber":"18501234444","UserReceiveTime":1620734188,"SessionContext":"order-7"}],"RequestId":"r"}}""")
            .Reports.ShouldHaveSingleItem().Report.ShouldSatisfyAllConditions(
                r => r.Status.ShouldBe(DeliveryStatus.Failed),
                r => r.Final.ShouldBeTrue(),
                r => r.ErrorCode.ShouldBe("MK:0001"),
                r => r.Phone.ShouldBe("+8618501234444"),
                r => r.OutId.ShouldBe("order-7"));

    [Fact]
    public void an_item_without_serial_no_is_not_a_report() =>
        Read("""{"Response":{"PullSmsSendStatusSet":[{"ReportStatus":"SUCCESS"}],"RequestId":"r"}}""").Reports.ShouldBeEmpty();

    [Theory]
    [InlineData("RequestLimitExceeded", PullErrorKind.Throttled)]
    [InlineData("RequestLimitExceeded.UinLimitExceeded", PullErrorKind.Throttled)]
    [InlineData("AuthFailure.SignatureFailure", PullErrorKind.Credentials)]
    [InlineData("AuthFailure.SecretIdNotFound", PullErrorKind.Credentials)]
    [InlineData("FailedOperation.PhoneNumberParseFail", PullErrorKind.Provider)]
    public void an_error_code_says_what_to_do(string code, PullErrorKind kind)
    {
        var reading = Read(DocumentedAnswers.TencentError(code, "message"));
        reading.Reports.ShouldBeEmpty();
        reading.Error!.Kind.ShouldBe(kind);
        reading.Error.ProviderCode.ShouldBe(code);
    }

    [Fact]
    public void an_answer_without_response_is_unreadable() => Read("""{"result":0}""").Error!.Kind.ShouldBe(PullErrorKind.Unreadable);
}
