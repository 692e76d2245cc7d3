using System.Text;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Providers.Aliyun;
using Ledger.Tests.Support;
using Ledger.Time;

namespace Ledger.Tests.Providers.Aliyun;

/// <summary>The Aliyun adapter on an account configured with `Options:Variant = international`.</summary>
public sealed class aliyun_international_report_rules
{
    private static readonly AliyunAdapter Adapter = new();
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T02:32:06Z");

    private static ProviderAccount Account(string? variant) => new()
    {
        Name = "intl",
        Options = variant is null ? new(StringComparer.OrdinalIgnoreCase) : new(StringComparer.OrdinalIgnoreCase) { ["Variant"] = variant },
    };

    private static AdapterResult Handle(string body, string? variant = "international") => Adapter.Handle(new RawCallback(
        Guid.NewGuid(), "POST", "http://localhost/callbacks/aliyun/intl", "/callbacks/aliyun/intl", "",
        [new HeaderEntry("Content-Type", "application/json")], Encoding.UTF8.GetBytes(body), "127.0.0.1", Now), Account(variant), Now);

    private static Report ReportOf(string item) =>
        Handle(Payloads.Array(item)).ShouldBeOfType<AdapterResult.Accepted>().Items.Single().Report;

    [Fact]
    public void the_documented_example_is_a_delivered_report_keyed_by_message_id()
    {
        var item = AliyunInternationalPayloads.Item("123450000****");

        var accepted = Handle(Payloads.Array(item)).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.ShouldBe(AliyunAdapter.Received);
        var callback = accepted.Items.ShouldHaveSingleItem();
        callback.MessageKey.ShouldBe("123450000****");
        callback.RawItem.ShouldBe(item.Trim());
        var report = callback.Report;
        report.Status.ShouldBe(DeliveryStatus.Delivered);
        report.Final.ShouldBeTrue();
        report.ProviderStatus.ShouldBe("1");
        report.ErrorCode.ShouldBeNull();
        report.Description.ShouldBe("success");
        report.Phone.ShouldBe("8521111****");
        report.OutId.ShouldBe("67890");
        report.BilledParts.ShouldBe(2);
        report.ParserVersion.ShouldBe(AliyunInternationalReport.ParserVersion);
    }

    [Fact]
    public void receive_date_is_the_provider_time_read_with_its_own_offset()
    {
        var time = ReportOf(AliyunInternationalPayloads.Item("m1")).ProviderTime;

        time.ShouldNotBeNull();
        time.Raw.ShouldBe("Thu, 25 Nov 2021 10:25:33 +0800");
        time.Utc.ShouldBe(DateTimeOffset.Parse("2021-11-25T02:25:33Z"));
        time.Rule.ShouldBe(ProviderTimes.OffsetRule);
    }

    [Theory]
    [InlineData("25 Nov 2021 10:25:33 +0800", "2021-11-25T02:25:33Z")]
    [InlineData("Mon, 1 Nov 2021 09:05:00 -0500", "2021-11-01T14:05:00Z")]
    [InlineData("Thu, 25 Nov 2021 10:25:33 GMT", "2021-11-25T10:25:33Z")]
    [InlineData("Thu, 25 Nov 2021 10:25 +0000", "2021-11-25T10:25:00Z")]
    public void rfc_2822_dates_are_read_in_their_usual_forms(string raw, string utc)
    {
        AliyunInternationalReport.TryParseRfc2822(raw, out var time).ShouldBeTrue();
        time!.Utc.ShouldBe(DateTimeOffset.Parse(utc));
    }

    [Theory]
    [InlineData("2", DeliveryStatus.Failed, true)]
    [InlineData("6", DeliveryStatus.Failed, true)]
    [InlineData("3", DeliveryStatus.Unknown, false)]
    [InlineData("", DeliveryStatus.Unknown, false)]
    public void status_2_fails_6_expires_as_a_final_failure_and_anything_else_is_unknown(string status, DeliveryStatus expected, bool final)
    {
        var report = ReportOf(AliyunInternationalPayloads.Item("m1", status, errorCode: "EXPIRED"));

        report.Status.ShouldBe(expected);
        report.Final.ShouldBe(final);
        report.ProviderStatus.ShouldBe(status);
        report.ErrorCode.ShouldBe("EXPIRED");
    }

    [Theory]
    [InlineData("2021-11-25 10:25:33")]
    [InlineData("Thu, 25 Nov 2021 10:25:33")]
    [InlineData("Thu, 25 Nov 2021 10:25:33 +08:00")]
    [InlineData("yesterday")]
    public void a_receive_date_without_a_readable_offset_is_refused_as_bad_time(string receiveDate)
    {
        var rejection = Handle(Payloads.Array(AliyunInternationalPayloads.Item("m1", receiveDate: receiveDate)))
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection;
        rejection.Reason.ShouldBe(RejectionReasons.BadTime);
        rejection.Detail.ShouldStartWith("Item 0");
    }

    [Fact]
    public void a_report_without_message_id_is_refused_as_missing_id()
    {
        Handle(Payloads.Array(AliyunInternationalPayloads.Item(""))).ShouldBeOfType<AdapterResult.Rejected>()
            .Rejection.Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("domestic")]
    public void a_domestic_account_keeps_reading_the_domestic_fields(string? variant)
    {
        var biz = Payloads.NewId();
        var accepted = Handle(Payloads.Array(Payloads.AliyunItem(biz, "13800000001", success: true)), variant).ShouldBeOfType<AdapterResult.Accepted>();
        accepted.Items.Single().MessageKey.ShouldBe($"{biz}:13800000001");
        accepted.Items.Single().Report.ParserVersion.ShouldBe("aliyun/1");

        // An international report on a domestic account has no biz_id: refused, not misread.
        Handle(Payloads.Array(AliyunInternationalPayloads.Item("m1")), variant).ShouldBeOfType<AdapterResult.Rejected>()
            .Rejection.Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Fact]
    public void an_unknown_variant_is_a_configuration_error_answered_with_5xx_so_alibaba_retries()
    {
        var rejection = Handle(Payloads.Array(AliyunInternationalPayloads.Item("m1")), "global").ShouldBeOfType<AdapterResult.Rejected>().Rejection;
        rejection.Reason.ShouldBe(AliyunAdapter.UnknownVariant);
        rejection.StatusCode.ShouldBe(500);
    }
}
