using System.Text;
using Ledger.Events;
using Ledger.Providers.Pull;
using Ledger.Providers.Twilio;
using Ledger.Tests.Pull.Fakes;
using Ledger.Time;

namespace Ledger.Tests.Pull;

/// <summary>Reading a fetched Twilio Message resource into a report.</summary>
public sealed class twilio_message_answers
{
    private static PullReading Read(string body, int status = 200, TimeSpan? retryAfter = null) =>
        TwilioQuery.Read(status, Encoding.UTF8.GetBytes(body), FakeTwilioApi.DocumentedSid, retryAfter);

    [Fact]
    public void the_documented_resource_is_a_sent_report_that_is_not_final_yet()
    {
        var pulled = Read(DocumentedAnswers.TwilioMessage).Reports.ShouldHaveSingleItem();

        pulled.MessageKey.ShouldBe("SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        pulled.Report.ShouldBe(new Report(DeliveryStatus.Pending, false, "sent", "30007", "Carrier violation",
            new ProviderTime("Fri, 24 May 2019 17:18:28 +0000", DateTimeOffset.Parse("2019-05-24T17:18:28Z"), ProviderTimes.OffsetRule),
            "+18182008801", null, 1, "twilio-pull/1"));
    }

    [Theory]
    [InlineData("delivered", DeliveryStatus.Delivered, true)]
    [InlineData("undelivered", DeliveryStatus.Failed, true)]
    [InlineData("failed", DeliveryStatus.Failed, true)]
    [InlineData("queued", DeliveryStatus.Pending, false)]
    [InlineData("partially_delivered", DeliveryStatus.Unknown, false)]
    public void status_maps_as_the_status_callback_does(string status, DeliveryStatus expected, bool final) =>
        Read(DocumentedAnswers.TwilioMessage.Replace("\"status\": \"sent\"", $"\"status\": \"{status}\""))
            .Reports.ShouldHaveSingleItem().Report.ShouldSatisfyAllConditions(
                r => r.Status.ShouldBe(expected),
                r => r.Final.ShouldBe(final));

    [Fact]
    public void a_null_error_code_is_no_error_code() =>
        Read(DocumentedAnswers.TwilioMessage.Replace("\"error_code\": 30007", "\"error_code\": null"))
            .Reports.ShouldHaveSingleItem().Report.ErrorCode.ShouldBeNull();

    [Fact]
    public void authentication_failure_is_a_credential_error() =>
        Read(DocumentedAnswers.TwilioError(20003, "Authenticate", 401), 401).Error.ShouldBe(new PullError(PullErrorKind.Credentials, "20003",
            "Twilio refused the credentials (HTTP 401, 20003: Authenticate); check the account's Pull AccountSid and AuthToken."));

    [Fact]
    public void too_many_requests_is_throttled_with_the_given_delay()
    {
        var reading = Read(DocumentedAnswers.TwilioError(20429, "Too Many Requests", 429), 429, TimeSpan.FromSeconds(7));
        reading.Error!.Kind.ShouldBe(PullErrorKind.Throttled);
        reading.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void an_unknown_message_is_a_provider_error_not_an_empty_success() =>
        Read(DocumentedAnswers.TwilioError(20404, "The requested resource was not found", 404), 404).Error!.ProviderCode.ShouldBe("20404");
}
