using System.Text;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Providers.Aliyun;
using Ledger.Tests.Support;
using Ledger.Time;

namespace Ledger.Tests.Providers.Aliyun;

/// <summary>The Aliyun adapter, as a pure function, on reports with receive_time and err_code.</summary>
public sealed class aliyun_article_shape_rules
{
    private static readonly AliyunAdapter Adapter = new();
    private static readonly ProviderAccount Account = new() { Name = "default" };
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T02:32:06Z");

    private static AdapterResult Handle(string body) => Adapter.Handle(new RawCallback(
        Guid.NewGuid(), "POST", "http://localhost/callbacks/aliyun", "/callbacks/aliyun", "",
        [new HeaderEntry("Content-Type", "application/json")], Encoding.UTF8.GetBytes(body), "127.0.0.1", Now), Account, Now);

    private static Report ReportOf(string body) => Handle(body).ShouldBeOfType<AdapterResult.Accepted>().Items.ShouldHaveSingleItem().Report;

    private static Rejection Refusal(string body) => Handle(body).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    [Fact]
    public void delivrd_is_a_final_delivery_keyed_by_biz_id_and_phone_like_the_sms_report()
    {
        var item = AliyunArticlePayloads.Item("biz-1", "13800000001");

        var accepted = Handle(Payloads.Array(item)).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.ShouldBe(AliyunAdapter.Received);
        var callback = accepted.Items.ShouldHaveSingleItem();
        callback.MessageKey.ShouldBe("biz-1:13800000001");
        callback.RawItem.ShouldBe(item.Trim());
        var report = callback.Report;
        report.Status.ShouldBe(DeliveryStatus.Delivered);
        report.Final.ShouldBeTrue();
        report.ProviderStatus.ShouldBe("DELIVRD");
        report.ErrorCode.ShouldBeNull();
        report.Phone.ShouldBe("13800000001");
        report.OutId.ShouldBe("order-7");
        report.BilledParts.ShouldBe(2);
        report.ParserVersion.ShouldBe(AliyunReceiveTimeReport.ParserVersion);
        report.ParserVersion.ShouldBe("aliyun-receive-time/1");
    }

    [Theory]
    [InlineData("UNDELIV")]
    [InlineData("MK:0001")]
    [InlineData("IC:0151")]
    [InlineData("EXPIRED")]
    public void any_other_err_code_is_a_final_failure_kept_verbatim(string errCode)
    {
        var report = ReportOf(Payloads.Array(AliyunArticlePayloads.Item("biz-1", "13800000001", errCode)));

        report.Status.ShouldBe(DeliveryStatus.Failed);
        report.Final.ShouldBeTrue();
        report.ProviderStatus.ShouldBe(errCode);
        report.ErrorCode.ShouldBe(errCode);
    }

    [Fact]
    public void one_report_sent_as_a_lone_object_is_a_batch_of_one()
    {
        var item = AliyunArticlePayloads.Item("biz-2", "13800000002", "UNDELIV");

        var accepted = Handle(item).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.ShouldBe(AliyunAdapter.Received);
        var callback = accepted.Items.ShouldHaveSingleItem();
        callback.MessageKey.ShouldBe("biz-2:13800000002");
        callback.RawItem.ShouldBe(item.Trim());
        callback.Report.Status.ShouldBe(DeliveryStatus.Failed);
    }

    [Fact]
    public void a_zone_less_receive_time_is_beijing_time()
    {
        var time = ReportOf(AliyunArticlePayloads.Item("biz-1", "13800000001")).ProviderTime;

        time.ShouldNotBeNull();
        time.Raw.ShouldBe("2026-11-25 10:32:05");
        time.Utc.ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05Z"));
        time.Rule.ShouldBe(ProviderTimes.BeijingRule);
    }

    [Theory]
    [InlineData("\"2026-11-25 10:32:05+08:00\"", "2026-11-25 10:32:05+08:00", "2026-11-25T02:32:05Z", ProviderTimes.OffsetRule)]
    [InlineData("\"2026-11-25 10:32:05 +0800\"", "2026-11-25 10:32:05 +0800", "2026-11-25T02:32:05Z", ProviderTimes.OffsetRule)]
    [InlineData("\"2026-11-25T02:32:05Z\"", "2026-11-25T02:32:05Z", "2026-11-25T02:32:05Z", ProviderTimes.OffsetRule)]
    [InlineData("\"2026-11-25T10:32:05.250+08:00\"", "2026-11-25T10:32:05.250+08:00", "2026-11-25T02:32:05.25Z", ProviderTimes.OffsetRule)]
    [InlineData("1795573925", "1795573925", "2026-11-25T02:32:05Z", ProviderTimes.EpochSecondsRule)]
    [InlineData("\"1795573925\"", "1795573925", "2026-11-25T02:32:05Z", ProviderTimes.EpochSecondsRule)]
    public void a_receive_time_with_an_offset_keeps_it_and_a_number_is_unix_seconds(string json, string raw, string utc, string rule)
    {
        var time = ReportOf(AliyunArticlePayloads.Item("biz-1", "13800000001", receiveTime: json)).ProviderTime;

        time.ShouldNotBeNull();
        time.Raw.ShouldBe(raw);
        time.Utc.ShouldBe(DateTimeOffset.Parse(utc));
        time.Rule.ShouldBe(rule);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("null")]
    public void an_empty_receive_time_is_no_time_rather_than_a_refusal(string json)
    {
        ReportOf(AliyunArticlePayloads.Item("biz-1", "13800000001", receiveTime: json)).ProviderTime.ShouldBeNull();
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("\"2026/11/25 10:32:05\"")]
    [InlineData("1795573925000")] // milliseconds where seconds are the rule: refused, never read as the year 58869
    [InlineData("1795573925.5")]
    [InlineData("-1")]
    [InlineData("{}")]
    public void an_unreadable_receive_time_is_refused_as_bad_time(string json)
    {
        var rejection = Refusal(Payloads.Array(AliyunArticlePayloads.Item("biz-1", "13800000001", receiveTime: json)));

        rejection.Reason.ShouldBe(RejectionReasons.BadTime);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldStartWith("Item 0: receive_time");
    }

    [Theory]
    [InlineData("""{"phone_number":"13800000001","receive_time":"2026-11-25 10:32:05","biz_id":"biz-1"}""")]
    [InlineData("""{"phone_number":"13800000001","receive_time":"2026-11-25 10:32:05","err_code":"","biz_id":"biz-1"}""")]
    [InlineData("""{"phone_number":"13800000001","receive_time":"2026-11-25 10:32:05","err_code":null,"biz_id":"biz-1"}""")]
    public void a_report_without_err_code_is_refused_because_it_carries_no_result(string item)
    {
        foreach (var body in new[] { Payloads.Array(item), item })
        {
            var rejection = Refusal(body);
            rejection.Reason.ShouldBe(RejectionReasons.Malformed);
            rejection.StatusCode.ShouldBe(400);
            rejection.Detail.ShouldContain("err_code is required");
        }
    }

    [Fact]
    public void a_report_without_biz_id_or_phone_is_refused_as_missing_id()
    {
        Refusal(AliyunArticlePayloads.Item("", "13800000001")).Reason.ShouldBe(RejectionReasons.MissingId);
        Refusal(Payloads.Array(AliyunArticlePayloads.Item("biz-1", ""))).Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Fact]
    public void both_shapes_in_one_batch_are_each_read_by_their_own_parser()
    {
        var accepted = Handle(Payloads.Array(
            Payloads.AliyunItem("biz-3", "13800000003", success: true),
            AliyunArticlePayloads.Item("biz-3", "13800000004", "UNDELIV"))).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Items.Select(i => i.MessageKey).ShouldBe(["biz-3:13800000003", "biz-3:13800000004"]);
        accepted.Items.Select(i => i.Report.ParserVersion).ShouldBe(["aliyun/1", "aliyun-receive-time/1"]);
        accepted.Items.Select(i => i.Report.Status).ShouldBe([DeliveryStatus.Delivered, DeliveryStatus.Failed]);
    }

    [Fact]
    public void an_item_with_success_stays_a_sms_report_even_beside_a_receive_time()
    {
        var item = Payloads.AliyunItem("biz-4", "13800000005", success: true).Replace("\"report_time\"", "\"receive_time\":\"x\",\"report_time\"");

        var report = ReportOf(Payloads.Array(item));

        report.ParserVersion.ShouldBe("aliyun/1");
        report.Status.ShouldBe(DeliveryStatus.Delivered);
        report.ProviderStatus.ShouldBe("DELIVERED");
    }

    [Fact]
    public void alibabas_own_success_word_in_the_article_shape_is_a_delivery()
    {
        var item = "{\"phone_number\":\"13800000007\",\"biz_id\":\"biz-7\",\"receive_time\":\"2026-11-25 10:32:05\",\"err_code\":\"DELIVERED\"}";

        var report = ReportOf(Payloads.Array(item));

        report.Status.ShouldBe(DeliveryStatus.Delivered);
        report.ProviderStatus.ShouldBe("DELIVERED");
    }

    [Fact]
    public void a_sms_report_sent_as_a_lone_object_is_still_refused_as_before()
    {
        var rejection = Refusal(Payloads.AliyunItem("biz-5", "13800000006", success: true));

        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.Detail.ShouldContain("JSON array");
    }
}
