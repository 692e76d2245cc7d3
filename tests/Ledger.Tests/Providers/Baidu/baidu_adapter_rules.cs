using Ledger.Events;
using Ledger.Providers;
using Ledger.Providers.Baidu;
using Ledger.Time;

namespace Ledger.Tests.Providers.Baidu;

/// <summary>The adapter as a pure function: signature, timestamp window and reading, on Baidu's documented fields.</summary>
public sealed class baidu_adapter_rules
{
    private static readonly BaiduAdapter Adapter = new();
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2020-08-13T12:13:32Z");
    private static readonly ProviderAccount Account = new() { Secrets = ["old-token", "new-token"] };

    private static AdapterResult Handle(string body, DateTimeOffset signedAt, string token = "new-token", ProviderAccount? account = null)
    {
        var timestamp = BaiduRequests.Millis(signedAt);
        return Adapter.Handle(BaiduRequests.Raw(body, timestamp, BaiduRequests.Sign(token, timestamp, body), Now), account ?? Account, Now);
    }

    [Fact]
    public void a_report_signed_with_the_rotated_token_is_accepted_and_keyed_by_message_id()
    {
        var body = BaiduRequests.Report("b1", segmentCount: "2");

        var accepted = Handle(body, Now.AddSeconds(-2)).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.ShouldBe(ProviderReply.Empty());
        var item = accepted.Items.ShouldHaveSingleItem();
        item.MessageKey.ShouldBe("b1");
        item.RawItem.ShouldBe(body);
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.Final.ShouldBeTrue();
        item.Report.ProviderStatus.ShouldBe("0");
        item.Report.Phone.ShouldBe("13800138000");
        item.Report.OutId.ShouldBe("order-7");
        item.Report.BilledParts.ShouldBe(2);
        item.Report.ParserVersion.ShouldBe("baidu/2");
    }

    [Fact]
    public void a_report_signed_with_the_old_token_is_accepted_during_rotation()
    {
        Handle(BaiduRequests.Report("b2"), Now, token: "old-token").ShouldBeOfType<AdapterResult.Accepted>();
    }

    [Fact]
    public void the_signature_covers_the_exact_body_bytes_not_a_re_serialization()
    {
        var body = "{ \"code\" : \"0\",\n  \"messageId\" : \"b3\" }";

        Handle(body, Now).ShouldBeOfType<AdapterResult.Accepted>();
        var timestamp = BaiduRequests.Millis(Now);
        var compact = """{"code":"0","messageId":"b3"}""";
        Adapter.Handle(BaiduRequests.Raw(body, timestamp, BaiduRequests.Sign("new-token", timestamp, compact), Now), Account, Now)
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void an_uppercase_hex_signature_is_still_the_same_signature()
    {
        var body = BaiduRequests.Report("b4");
        var timestamp = BaiduRequests.Millis(Now);
        Adapter.Handle(BaiduRequests.Raw(body, timestamp, BaiduRequests.Sign("old-token", timestamp, body).ToUpperInvariant(), Now), Account, Now)
            .ShouldBeOfType<AdapterResult.Accepted>();
    }

    [Fact]
    public void a_signature_made_with_another_token_is_refused()
    {
        var rejection = Handle(BaiduRequests.Report("b5"), Now, token: "someone-else").ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.StatusCode.ShouldBe(401);
        rejection.Detail.ShouldNotContain("new-token");
        rejection.Detail.ShouldNotContain("old-token");
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void a_timestamp_outside_the_window_in_either_direction_is_refused(int seconds)
    {
        var rejection = Handle(BaiduRequests.Report("b6"), Now.AddSeconds(seconds)).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        rejection.StatusCode.ShouldBe(401);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void a_timestamp_inside_the_window_is_accepted(int seconds)
    {
        Handle(BaiduRequests.Report("b7"), Now.AddSeconds(seconds)).ShouldBeOfType<AdapterResult.Accepted>();
    }

    [Fact]
    public void the_ignore_timestamp_verify_mode_accepts_an_old_but_correctly_signed_report()
    {
        var audit = new ProviderAccount { Secrets = ["new-token"], Options = new(StringComparer.OrdinalIgnoreCase) { ["VerifyMode"] = "ignore-timestamp" } };

        Handle(BaiduRequests.Report("b8"), Now.AddDays(-30), account: audit).ShouldBeOfType<AdapterResult.Accepted>();
        Handle(BaiduRequests.Report("b8"), Now.AddDays(-30), token: "old-token", account: audit).ShouldBeOfType<AdapterResult.Rejected>()
            .Rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Theory]
    [InlineData(null, "abc")]
    [InlineData("1597320812102", null)]
    [InlineData(null, null)]
    public void a_request_missing_the_signature_or_timestamp_header_is_refused(string? timestamp, string? signature)
    {
        var rejection = Adapter.Handle(BaiduRequests.Raw(BaiduRequests.Report("b9"), timestamp, signature, Now), Account, Now)
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.StatusCode.ShouldBe(401);
    }

    [Fact]
    public void an_account_without_a_token_refuses_and_names_the_setting_to_configure()
    {
        var rejection = Handle(BaiduRequests.Report("b10"), Now, account: new ProviderAccount { Name = "shop" })
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.StatusCode.ShouldBe(401);
        rejection.Detail.ShouldContain("Ledger__Providers__baidu__shop__Secrets__0");
    }

    [Theory]
    [InlineData("0", DeliveryStatus.Delivered, true)]
    [InlineData("2", DeliveryStatus.Failed, true)]
    [InlineData("7", DeliveryStatus.Unknown, false)]
    public void each_code_maps_to_its_normalized_status(string code, DeliveryStatus status, bool final)
    {
        var report = Handle(BaiduRequests.Report("c" + code, code: code, carrierCode: code == "0" ? "DELIVRD" : "MK:0001"), Now)
            .ShouldBeOfType<AdapterResult.Accepted>().Items[0].Report;

        report.Status.ShouldBe(status);
        report.Final.ShouldBe(final);
        report.ErrorCode.ShouldBe(code == "0" ? null : "MK:0001");
    }

    [Theory]
    [InlineData("2020-08-13T12:13:30Z", ProviderTimes.UtcRule)]
    [InlineData("2020-08-13 12:13:30", ProviderTimes.UtcRule)]
    [InlineData("2020-08-13T20:13:30+08:00", ProviderTimes.OffsetRule)]
    public void deliver_time_is_normalized_to_utc(string deliverTime, string rule)
    {
        var time = Handle(BaiduRequests.Report("t1", deliverTime: deliverTime), Now).ShouldBeOfType<AdapterResult.Accepted>().Items[0].Report.ProviderTime.ShouldNotBeNull();

        time.Utc.ShouldBe(DateTimeOffset.Parse("2020-08-13T12:13:30Z"));
        time.Raw.ShouldBe(deliverTime);
        time.Rule.ShouldBe(rule);
    }

    [Theory]
    [InlineData("1597320810000")]
    [InlineData("\"1597320810000\"")]
    public void deliver_time_in_epoch_milliseconds_as_a_number_or_a_string_of_digits_is_utc_and_keeps_its_raw_text(string token)
    {
        var time = Handle(BaiduRequests.Report("t2", deliverTimeJson: token), Now).ShouldBeOfType<AdapterResult.Accepted>().Items[0].Report.ProviderTime.ShouldNotBeNull();

        time.Utc.ShouldBe(DateTimeOffset.Parse("2020-08-13T12:13:30Z"));
        time.Raw.ShouldBe("1597320810000");
        time.Rule.ShouldBe(ProviderTimes.EpochMillisecondsRule);
    }

    [Fact]
    public void fourteen_digits_are_still_read_as_yyyyMMddHHmmss_and_not_as_epoch_milliseconds()
    {
        var time = Handle(BaiduRequests.Report("t3", deliverTime: "20200813121330"), Now).ShouldBeOfType<AdapterResult.Accepted>().Items[0].Report.ProviderTime.ShouldNotBeNull();

        time.Utc.ShouldBe(DateTimeOffset.Parse("2020-08-13T12:13:30Z"));
        time.Rule.ShouldBe(ProviderTimes.UtcRule);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    public void a_null_or_empty_deliver_time_gives_a_report_without_provider_time(string token)
    {
        Handle(BaiduRequests.Report("t4", deliverTimeJson: token), Now).ShouldBeOfType<AdapterResult.Accepted>().Items[0].Report.ProviderTime.ShouldBeNull();
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("1597320810000.5")]
    [InlineData("1.59732081E12")]
    [InlineData("-1597320810000")]
    [InlineData("1597320810")] // epoch seconds where milliseconds are documented: refused, not read as 1970
    [InlineData("\"1597320810\"")]
    [InlineData("true")]
    [InlineData("{\"ms\":1597320810000}")]
    public void an_unreadable_deliver_time_is_refused_as_bad_time_naming_the_value(string token)
    {
        var rejection = Handle(BaiduRequests.Report("t5", deliverTimeJson: token), Now).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.Reason.ShouldBe(RejectionReasons.BadTime);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldContain("deliverTime");
        rejection.Detail.ShouldContain("epoch milliseconds");
    }

    [Fact]
    public void a_correctly_signed_body_that_is_not_json_is_malformed()
    {
        Handle("{\"messageId\": ", Now).ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.Malformed);
    }

    [Fact]
    public void a_report_without_message_id_is_refused()
    {
        Handle("""{"code":"0","mobile":"13800138000"}""", Now).ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.MissingId);
    }
}
