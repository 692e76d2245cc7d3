using System.Text;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Providers.Ronglian;
using Ledger.Time;

namespace Ledger.Tests.Providers.Ronglian;

/// <summary>The adapter as a pure function, on the documented examples.</summary>
public sealed class ronglian_adapter_rules
{
    private static readonly RonglianAdapter Adapter = new();
    private static readonly ProviderAccount Account = new() { Name = "default" };
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T02:32:06Z");
    private const string Sid = "4121908f3d1b4edb9210f0eb4742f62c";

    private static AdapterResult.Accepted Accept(RawCallback request, ProviderAccount? account = null) =>
        Adapter.Handle(request, account ?? Account, Now).ShouldBeOfType<AdapterResult.Accepted>();

    private static Rejection Refuse(RawCallback request, ProviderAccount? account = null) =>
        Adapter.Handle(request, account ?? Account, Now).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    [Fact]
    public void a_json_report_with_status_0_is_delivered_final_and_keyed_by_content()
    {
        var body = RonglianPayloads.Json(Sid);
        var accepted = Accept(RonglianPayloads.Request(body));

        accepted.Reply.ShouldBe(RonglianAdapter.JsonReceived);
        accepted.Reply.Body.ShouldBe("""{"statusCode":"000000"}""");
        var item = accepted.Items.ShouldHaveSingleItem();
        item.MessageKey.ShouldBe(Sid);
        item.RawItem.ShouldBe(JsonDocument.Parse(body).RootElement.GetProperty("Request").GetRawText());
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.Final.ShouldBeTrue();
        item.Report.ProviderStatus.ShouldBe("DELIVRD");
        item.Report.ErrorCode.ShouldBeNull();
        item.Report.Phone.ShouldBe("13912345678");
        item.Report.OutId.ShouldBe("123");
        item.Report.BilledParts.ShouldBe(2);
        item.Report.ParserVersion.ShouldBe("ronglian/1");
    }

    [Fact]
    public void an_xml_report_reads_the_same_and_is_answered_in_xml()
    {
        var accepted = Accept(RonglianPayloads.Request(RonglianPayloads.Xml(Sid), "application/xml"));

        accepted.Reply.ShouldBe(RonglianAdapter.XmlReceived);
        accepted.Reply.Body.ShouldBe("""<?xml version="1.0" encoding="UTF-8"?><Response><statuscode>000000</statuscode></Response>""");
        accepted.Reply.ContentType.ShouldContain("application/xml");
        var item = accepted.Items.ShouldHaveSingleItem();
        item.MessageKey.ShouldBe(Sid);
        item.RawItem.ShouldBe(RonglianPayloads.XmlRequest(Sid));
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.Phone.ShouldBe("13912345678");
        item.Report.OutId.ShouldBe("123");
        item.Report.BilledParts.ShouldBe(2);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData(null)]
    public void the_format_is_decided_by_the_first_significant_byte_whatever_the_content_type(string? contentType)
    {
        Accept(RonglianPayloads.Request("\r\n  " + RonglianPayloads.Xml(Sid), contentType)).Reply.ShouldBe(RonglianAdapter.XmlReceived);
        Accept(RonglianPayloads.Request(" " + RonglianPayloads.Json(Sid), contentType)).Reply.ShouldBe(RonglianAdapter.JsonReceived);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("-1")]
    public void any_status_other_than_0_is_a_final_failure_carrying_the_deliver_code_unchanged(string status)
    {
        var json = Accept(RonglianPayloads.Request(RonglianPayloads.Json(Sid, status, "MK:0001"))).Items.Single().Report;
        var xml = Accept(RonglianPayloads.Request(RonglianPayloads.Xml(Sid, status, "MK:0001"), "text/xml")).Items.Single().Report;

        foreach (var report in new[] { json, xml })
        {
            report.Status.ShouldBe(DeliveryStatus.Failed);
            report.Final.ShouldBeTrue();
            report.ProviderStatus.ShouldBe("MK:0001");
            report.ErrorCode.ShouldBe("MK:0001");
        }
    }

    [Fact]
    public void a_report_without_status_is_unknown_and_not_final()
    {
        var body = RonglianPayloads.Json(Sid).Replace("\"status\":\"0\",", "");
        var report = Accept(RonglianPayloads.Request(body)).Items.Single().Report;
        report.Status.ShouldBe(DeliveryStatus.Unknown);
        report.Final.ShouldBeFalse();
    }

    [Fact]
    public void recv_time_is_beijing_time_normalized_to_utc_with_the_raw_value_kept()
    {
        var time = Accept(RonglianPayloads.Request(RonglianPayloads.Xml(Sid))).Items.Single().Report.ProviderTime;

        time.ShouldNotBeNull();
        time.Raw.ShouldBe("20130923010010");
        time.Utc.ShouldBe(DateTimeOffset.Parse("2013-09-22T17:00:10Z"));
        time.Rule.ShouldBe(ProviderTimes.BeijingRule);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public void an_mo_push_is_read_as_a_reply_with_no_status_items_and_the_normal_reply(string smsType)
    {
        // An MO's content is the user's text, not a message id: it must not become a message key.
        var json = Accept(RonglianPayloads.Request(RonglianPayloads.Json("hello", smsType: smsType)));
        json.Items.ShouldBeEmpty();
        json.ReplyItems.Single().Content.ShouldBe("hello");
        json.Reply.ShouldBe(RonglianAdapter.JsonReceived);

        var xml = Accept(RonglianPayloads.Request(RonglianPayloads.Xml("hello", smsType: smsType), "application/xml"));
        xml.Items.ShouldBeEmpty();
        xml.Reply.ShouldBe(RonglianAdapter.XmlReceived);
    }

    [Fact]
    public void another_action_than_sms_arrived_is_kept_but_is_not_a_status()
    {
        var body = RonglianPayloads.Json(Sid).Replace("SMSArrived", "CallAuth");
        Accept(RonglianPayloads.Request(body)).Items.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"Request":{"content":""", "not valid JSON")]
    [InlineData("""{"content":"abc","status":"0"}""", "\"Request\"")]
    [InlineData("""{"Request":"abc"}""", "\"Request\"")]
    [InlineData("<Request><content>abc</content>", "not well-formed XML")]
    [InlineData("<Response><content>abc</content></Response>", "<Request>")]
    [InlineData("content=abc&status=0", "neither XML nor JSON")]
    [InlineData("   ", "empty")]
    public void a_malformed_body_is_refused_with_400(string body, string detail)
    {
        var rejection = Refuse(RonglianPayloads.Request(body));
        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldContain(detail);
    }

    [Theory]
    [InlineData("""<!DOCTYPE Request [<!ENTITY sid "expanded">]><Request><smsType>1</smsType><content>&sid;</content><status>0</status></Request>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY sid SYSTEM "file:///etc/passwd">]><Request><content>&sid;</content></Request>""")]
    [InlineData("""<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><Request><content>&lol2;</content></Request>""")]
    [InlineData("""<Request><content>&undeclared;</content></Request>""")]
    public void a_dtd_or_entity_is_refused_as_malformed_and_never_expanded(string body)
    {
        var rejection = Refuse(RonglianPayloads.Request(body, "application/xml"));
        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldNotContain("expanded");
        rejection.Detail.ShouldNotContain("root:");
    }

    [Fact]
    public void an_oversized_xml_document_is_refused()
    {
        var padding = new string(' ', RonglianXml.MaxCharacters);
        var rejection = Refuse(RonglianPayloads.Request(RonglianPayloads.Xml(Sid).Replace("<content>", "<content>" + padding), "application/xml"));
        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
    }

    [Fact]
    public void a_report_without_content_is_refused_as_missing_id()
    {
        Refuse(RonglianPayloads.Request(RonglianPayloads.Json(""))).Reason.ShouldBe(RejectionReasons.MissingId);
        Refuse(RonglianPayloads.Request(RonglianPayloads.Xml(Sid).Replace($"<content>{Sid}</content>", ""), "application/xml"))
            .Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Fact]
    public void an_unparseable_recv_time_is_refused_as_bad_time()
    {
        var rejection = Refuse(RonglianPayloads.Request(RonglianPayloads.Json(Sid, recvTime: "2013-09-23T01:00:10")));
        rejection.Reason.ShouldBe(RejectionReasons.BadTime);
        rejection.StatusCode.ShouldBe(400);
    }

    [Fact]
    public void the_url_token_is_checked_before_the_body_is_read()
    {
        var protectedAccount = new ProviderAccount { Name = "default", Token = "s3cret" };

        Refuse(RonglianPayloads.Request("not even xml"), protectedAccount).Reason.ShouldBe(RejectionReasons.BadToken);
        Accept(RonglianPayloads.Request(RonglianPayloads.Json(Sid), query: "?token=s3cret"), protectedAccount).Items.Count.ShouldBe(1);
    }

    [Fact]
    public void a_gbk_body_is_read_with_the_charset_named_in_content_type()
    {
        var bytes = RonglianPayloads.Gb18030.GetBytes(RonglianPayloads.Xml(Sid, "1", "空号", encoding: "GBK"));
        var item = Accept(RonglianPayloads.Request(bytes, "application/xml; charset=GBK")).Items.Single();
        item.Report.ProviderStatus.ShouldBe("空号");
        item.RawItem.ShouldContain("<deliverCode>空号</deliverCode>");
    }

    [Fact]
    public void the_xml_declaration_names_the_encoding_when_content_type_does_not()
    {
        var bytes = RonglianPayloads.Gb18030.GetBytes(RonglianPayloads.Xml(Sid, "1", "空号", encoding: "GB18030"));
        Accept(RonglianPayloads.Request(bytes, "application/xml")).Items.Single().Report.ProviderStatus.ShouldBe("空号");
    }

    [Fact]
    public void the_account_charset_reads_a_body_that_declares_none()
    {
        var bytes = RonglianPayloads.Gb18030.GetBytes(RonglianPayloads.Json(Sid, "1", "空号"));
        var account = new ProviderAccount { Name = "gbk", Charset = "GB18030" };
        Accept(RonglianPayloads.Request(bytes, "application/json"), account).Items.Single().Report.ProviderStatus.ShouldBe("空号");
    }

    [Fact]
    public void a_content_type_charset_wins_over_the_xml_declaration()
    {
        // The HTTP header is what the sender's stack actually encoded with; a stale declaration must not garble it.
        var bytes = Encoding.UTF8.GetBytes(RonglianPayloads.Xml(Sid, "1", "空号", encoding: "GBK"));
        Accept(RonglianPayloads.Request(bytes, "application/xml; charset=utf-8")).Items.Single().Report.ProviderStatus.ShouldBe("空号");
    }
}
