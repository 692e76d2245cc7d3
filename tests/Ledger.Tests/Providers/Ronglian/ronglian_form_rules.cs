using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Providers.Ronglian;
using Ledger.Time;

namespace Ledger.Tests.Providers.Ronglian;

/// <summary>The Ronglian adapter, as a pure function, on form-encoded reports.</summary>
public sealed class ronglian_form_rules
{
    private static readonly RonglianAdapter Adapter = new();
    private static readonly ProviderAccount Account = new() { Name = "default" };
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T02:32:06Z");
    private const string Sid = "4121908f3d1b4edb9210f0eb4742f62c";

    private static AdapterResult Handle(string body, string? contentType = RonglianFormPayloads.FormType, ProviderAccount? account = null) =>
        Adapter.Handle(RonglianPayloads.Request(body, contentType), account ?? Account, Now);

    private static CallbackItem Item(string body, string? contentType = RonglianFormPayloads.FormType) =>
        Handle(body, contentType).ShouldBeOfType<AdapterResult.Accepted>().Items.ShouldHaveSingleItem();

    private static Rejection Refusal(string body, string? contentType = RonglianFormPayloads.FormType) =>
        Handle(body, contentType).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    [Fact]
    public void resp_code_000000_is_a_final_delivery_keyed_by_sms_message_sid()
    {
        var body = RonglianFormPayloads.Form(Sid);

        var accepted = Handle(body).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.ShouldBe(RonglianAdapter.JsonReceived);
        var item = accepted.Items.ShouldHaveSingleItem();
        item.MessageKey.ShouldBe(Sid);
        item.RawItem.ShouldBe(body);
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.Final.ShouldBeTrue();
        item.Report.ProviderStatus.ShouldBe("000000");
        item.Report.ErrorCode.ShouldBeNull();
        item.Report.Phone.ShouldBe("13912345678");
        item.Report.ParserVersion.ShouldBe(RonglianForm.ParserVersion);
        item.Report.ParserVersion.ShouldBe("ronglian-form/1");
    }

    [Fact]
    public void report_time_is_beijing_time_normalized_to_utc_with_the_raw_value_kept()
    {
        var time = Item(RonglianFormPayloads.Form(Sid)).Report.ProviderTime;

        time.ShouldBe(new ProviderTime("20261125103205", DateTimeOffset.Parse("2026-11-25T02:32:05Z"), ProviderTimes.BeijingRule));
    }

    [Theory]
    [InlineData("160038")]
    [InlineData("1")]
    [InlineData("000001")]
    [InlineData("MK%3A0001", "MK:0001")]
    public void any_other_resp_code_is_a_final_failure_kept_verbatim(string sent, string? read = null)
    {
        var report = Item(RonglianFormPayloads.Form(Sid, sent)).Report;

        report.Status.ShouldBe(DeliveryStatus.Failed);
        report.Final.ShouldBeTrue();
        report.ProviderStatus.ShouldBe(read ?? sent);
        report.ErrorCode.ShouldBe(read ?? sent);
    }

    [Fact]
    public void msg_id_is_the_key_when_sms_message_sid_is_absent_and_sms_message_sid_wins_when_both_are_sent()
    {
        Item(RonglianFormPayloads.Form(Sid, keyField: "msgId")).MessageKey.ShouldBe(Sid);
        Item(RonglianFormPayloads.Form(Sid) + "&msgId=other").MessageKey.ShouldBe(Sid);
        Item("msgId=other&smsMessageSid=&" + RonglianFormPayloads.Form(Sid, keyField: "x")).MessageKey.ShouldBe("other");
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded; charset=UTF-8")]
    [InlineData("Application/X-WWW-Form-Urlencoded")]
    public void the_form_content_type_is_recognized_in_its_usual_spellings(string contentType)
    {
        Item(RonglianFormPayloads.Form(Sid), contentType).Report.ParserVersion.ShouldBe("ronglian-form/1");
    }

    [Fact]
    public void the_first_occurrence_of_a_repeated_field_wins()
    {
        Item(RonglianFormPayloads.Form(Sid, "160038") + "&respCode=000000").Report.Status.ShouldBe(DeliveryStatus.Failed);
    }

    [Fact]
    public void json_and_xml_requests_keep_their_own_reading_whatever_content_type_says()
    {
        Item(RonglianPayloads.Json(Sid)).Report.ParserVersion.ShouldBe("ronglian/1");
        Item(RonglianPayloads.Xml(Sid)).Report.ParserVersion.ShouldBe("ronglian/1");
        Item(RonglianPayloads.Json(Sid), "application/json").Report.ParserVersion.ShouldBe("ronglian/1");
    }

    [Theory]
    [InlineData("mobile=13912345678&reportTime=20261125103205&smsMessageSid=abc")]
    [InlineData("respCode=&mobile=13912345678&reportTime=20261125103205&smsMessageSid=abc")]
    [InlineData("respCode=%20&mobile=13912345678&smsMessageSid=abc")]
    public void a_form_without_resp_code_is_refused_because_it_carries_no_result(string body)
    {
        var rejection = Refusal(body);

        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldContain("respCode is required");
    }

    [Theory]
    [InlineData("respCode=000000&mobile=13912345678&reportTime=20261125103205")]
    [InlineData("respCode=000000&smsMessageSid=&msgId=")]
    public void a_form_without_sms_message_sid_or_msg_id_is_refused_as_missing_id(string body)
    {
        var rejection = Refusal(body);

        rejection.Reason.ShouldBe(RejectionReasons.MissingId);
        rejection.StatusCode.ShouldBe(400);
    }

    [Theory]
    [InlineData("2026-11-25T10:32:05")]
    [InlineData("yesterday")]
    public void an_unreadable_report_time_is_refused_as_bad_time(string reportTime)
    {
        var rejection = Refusal(RonglianFormPayloads.Form(Sid, reportTime: Uri.EscapeDataString(reportTime)));

        rejection.Reason.ShouldBe(RejectionReasons.BadTime);
        rejection.Detail.ShouldContain(reportTime);
    }

    [Fact]
    public void a_form_body_not_declared_as_a_form_is_still_refused()
    {
        Refusal(RonglianFormPayloads.Form(Sid), "text/plain").Detail.ShouldContain("neither XML nor JSON");
        Refusal(RonglianFormPayloads.Form(Sid), null).Detail.ShouldContain(RonglianFormPayloads.FormType);
    }

    [Fact]
    public void the_url_token_is_checked_before_the_form_is_read()
    {
        var guarded = new ProviderAccount { Name = "default", Token = "s3cret" };

        Handle(RonglianFormPayloads.Form(Sid), account: guarded).ShouldBeOfType<AdapterResult.Rejected>()
            .Rejection.Reason.ShouldBe(RejectionReasons.BadToken);
    }

    [Fact]
    public void an_empty_form_is_refused_as_empty()
    {
        Refusal("", RonglianFormPayloads.FormType).Detail.ShouldContain("empty");
    }
}
