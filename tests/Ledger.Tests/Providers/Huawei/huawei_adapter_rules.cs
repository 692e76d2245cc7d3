using Ledger.Events;
using Ledger.Providers;
using Ledger.Providers.Huawei;
using Ledger.Time;

namespace Ledger.Tests.Providers.Huawei;

/// <summary>The adapter as a pure function, on Huawei's documented examples.</summary>
public sealed class huawei_adapter_rules
{
    private static readonly HuaweiAdapter Adapter = new();
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2018-04-13T06:32:00Z");

    private static AdapterResult.Accepted Accept(string body, string contentType, ProviderAccount? account = null) =>
        Adapter.Handle(HuaweiRequests.Raw(body, contentType), account ?? new ProviderAccount(), Now).ShouldBeOfType<AdapterResult.Accepted>();

    private static Rejection Refuse(string body, string contentType, ProviderAccount? account = null, string query = "") =>
        Adapter.Handle(HuaweiRequests.Raw(body, contentType, query), account ?? new ProviderAccount(), Now).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    [Fact]
    public void the_documented_single_form_report_is_keyed_by_smsMsgId_and_read_as_delivered()
    {
        var body = "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-a3bc-4d3f-8ec2-3d5b4b0ac6f0_6&status=DELIVRD";

        var accepted = Accept(body, HuaweiRequests.Form);

        accepted.Reply.ShouldBe(ProviderReply.Empty());
        var item = accepted.Items.ShouldHaveSingleItem();
        item.MessageKey.ShouldBe("b9d9b4fe-a3bc-4d3f-8ec2-3d5b4b0ac6f0_6");
        item.RawItem.ShouldBe(body);
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.Final.ShouldBeTrue();
        item.Report.ProviderStatus.ShouldBe("DELIVRD");
        item.Report.ErrorCode.ShouldBeNull();
        item.Report.BilledParts.ShouldBe(1);
        item.Report.ParserVersion.ShouldBe("huawei/2");
    }

    [Fact]
    public void update_time_is_read_as_utc_and_the_raw_value_and_rule_are_kept()
    {
        var time = Accept(HuaweiRequests.SingleForm("m1"), HuaweiRequests.Form).Items[0].Report.ProviderTime.ShouldNotBeNull();

        time.Raw.ShouldBe("2018-04-13T06:31:46Z");
        time.Utc.ShouldBe(DateTimeOffset.Parse("2018-04-13T06:31:46+00:00"));
        time.Rule.ShouldBe(ProviderTimes.UtcRule);
    }

    [Theory]
    [InlineData("DELIVRD", DeliveryStatus.Delivered, true)]
    [InlineData("UNDELIV", DeliveryStatus.Failed, true)]
    [InlineData("EXPIRED", DeliveryStatus.Failed, true)]
    [InlineData("REJECTD", DeliveryStatus.Failed, true)]
    [InlineData("DELETED", DeliveryStatus.Failed, true)]
    [InlineData("MK:0001", DeliveryStatus.Failed, true)]
    [InlineData("MI:0024", DeliveryStatus.Failed, true)]
    [InlineData("E200015", DeliveryStatus.Failed, true)]
    [InlineData("ACCEPTD", DeliveryStatus.Pending, false)]
    [InlineData("ENROUTE", DeliveryStatus.Pending, false)]
    [InlineData("UNKNOWN", DeliveryStatus.Unknown, true)]
    [InlineData("NEWCODE", DeliveryStatus.Unknown, false)]
    public void each_status_code_maps_to_its_normalized_status(string code, DeliveryStatus status, bool final)
    {
        var report = Accept(HuaweiRequests.SingleForm("m-" + code, status: Uri.EscapeDataString(code)), HuaweiRequests.Form).Items[0].Report;

        report.Status.ShouldBe(status);
        report.Final.ShouldBe(final);
        report.ProviderStatus.ShouldBe(code);
        report.ErrorCode.ShouldBe(status == DeliveryStatus.Delivered ? null : code);
    }

    [Fact]
    public void a_long_message_is_billed_for_its_total_parts()
    {
        Accept(HuaweiRequests.SingleForm("long-1", total: "3", sequence: "2"), HuaweiRequests.Form).Items[0].Report.BilledParts.ShouldBe(3);
    }

    [Fact]
    public void a_report_of_a_long_message_names_its_part()
    {
        Accept(HuaweiRequests.SingleForm("long-2", total: "3", sequence: "2"), HuaweiRequests.Form).Items[0].Report.Part.ShouldBe(new MessagePart(2, 3));
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("", "")]
    [InlineData("x", "2")]
    public void a_message_sent_whole_or_without_readable_parts_names_no_part(string total, string sequence)
    {
        Accept(HuaweiRequests.SingleForm("whole-" + total + sequence, total: total, sequence: sequence), HuaweiRequests.Form).Items[0].Report.Part.ShouldBeNull();
    }

    [Fact]
    public void parts_after_the_first_have_their_own_fingerprint_and_the_first_keeps_the_one_earlier_builds_stored()
    {
        var part1 = Accept(HuaweiRequests.SingleForm("fp-1", total: "2", sequence: "1"), HuaweiRequests.Form).Items[0].Report;
        var part2 = Accept(HuaweiRequests.SingleForm("fp-1", total: "2", sequence: "2"), HuaweiRequests.Form).Items[0].Report;

        part2.Fingerprint.ShouldNotBe(part1.Fingerprint);
        part1.Fingerprint.ShouldBe((part1 with { Part = null }).Fingerprint);
        part1.Fingerprint.ShouldBe("Delivered|True|DELIVRD||2018-04-13T06:31:46Z");
    }

    [Fact]
    public void extend_is_the_out_id_and_to_is_the_phone_when_present()
    {
        var report = Accept(HuaweiRequests.SingleForm("ext-1", extend: "order-9", to: "+8613800138000"), HuaweiRequests.Form).Items[0].Report;

        report.OutId.ShouldBe("order-9");
        report.Phone.ShouldBe("+8613800138000");
    }

    [Fact]
    public void a_status_report_list_is_read_item_by_item()
    {
        var body = HuaweiRequests.Batch(HuaweiRequests.BatchItem("b1", "DELIVRD"), HuaweiRequests.BatchItem("b2", "UNDELIV"));

        var accepted = Accept(body, "application/json");

        accepted.Items.Select(i => i.MessageKey).ShouldBe(["b1", "b2"]);
        accepted.Items.Select(i => i.Report.Status).ShouldBe([DeliveryStatus.Delivered, DeliveryStatus.Failed]);
        accepted.Items[1].RawItem.ShouldContain("\"smsMsgId\":\"b2\"");
    }

    [Fact]
    public void a_list_of_more_than_fifty_reports_is_not_a_huawei_push()
    {
        var body = HuaweiRequests.Batch(Enumerable.Range(0, 51).Select(i => HuaweiRequests.BatchItem($"x{i}", "DELIVRD")).ToArray());

        Refuse(body, "application/json").Reason.ShouldBe(RejectionReasons.Malformed);
    }

    [Fact]
    public void an_empty_report_list_is_refused()
    {
        Refuse("""{"statusReportList":[]}""", "application/json").Reason.ShouldBe(RejectionReasons.EmptyBatch);
    }

    [Fact]
    public void a_report_without_sms_msg_id_is_refused()
    {
        Refuse("status=DELIVRD&total=1", HuaweiRequests.Form).Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Fact]
    public void an_update_time_that_is_not_huaweis_format_is_refused()
    {
        Refuse(HuaweiRequests.SingleForm("t1", updateTime: "2018-04-13+14%3A31%3A46"), HuaweiRequests.Form).Reason.ShouldBe(RejectionReasons.BadTime);
    }

    [Fact]
    public void the_url_token_is_checked_before_anything_is_read()
    {
        var account = new ProviderAccount { Token = "s3cret" };

        Refuse(HuaweiRequests.SingleForm("tok-1"), HuaweiRequests.Form, account, "?token=wrong").Reason.ShouldBe(RejectionReasons.BadToken);
        Adapter.Handle(HuaweiRequests.Raw(HuaweiRequests.SingleForm("tok-1"), HuaweiRequests.Form, "?token=s3cret"), account, Now)
            .ShouldBeOfType<AdapterResult.Accepted>();
    }
}
