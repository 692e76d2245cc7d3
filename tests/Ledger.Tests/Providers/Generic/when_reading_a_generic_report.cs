using Ledger.Events;
using Ledger.Providers;
using Ledger.Providers.Generic;
using static Ledger.Tests.Providers.Generic.GatewaySigner;

namespace Ledger.Tests.Providers.Generic;

public sealed class when_reading_a_generic_report
{
    private static readonly GenericAdapter Adapter = new();

    private static AdapterResult Handle((string Name, string Value)[] parameters, ProviderAccount? account = null)
    {
        var (body, headers) = DefaultForm(parameters);
        return Adapter.Handle(Request(body, FormType, headers), account ?? Account(), Now);
    }

    private static Report ReportOf(AdapterResult result) =>
        result.ShouldBeOfType<AdapterResult.Accepted>().Items.Single().Report;

    [Theory]
    [InlineData("DELIVRD", DeliveryStatus.Delivered, true, null)]
    [InlineData("delivered", DeliveryStatus.Delivered, true, null)]
    [InlineData("0", DeliveryStatus.Delivered, true, null)]
    [InlineData("ENROUTE", DeliveryStatus.Pending, false, null)]
    [InlineData("ACCEPTD", DeliveryStatus.Pending, false, null)]
    [InlineData("UNDELIV", DeliveryStatus.Failed, true, "UNDELIV")]
    [InlineData("MK:0001", DeliveryStatus.Failed, true, "MK:0001")]
    public void a_status_value_maps_by_the_configured_lists_and_anything_else_is_a_final_failure(
        string stat, DeliveryStatus status, bool final, string? errorCode)
    {
        var report = ReportOf(Handle([("msgid", "r-1"), ("stat", stat)]));
        report.Status.ShouldBe(status);
        report.Final.ShouldBe(final);
        report.ProviderStatus.ShouldBe(stat);
        report.ErrorCode.ShouldBe(errorCode);
    }

    [Fact]
    public void a_missing_status_is_unknown_and_not_final()
    {
        var report = ReportOf(Handle([("msgid", "r-2")]));
        report.Status.ShouldBe(DeliveryStatus.Unknown);
        report.Final.ShouldBeFalse();
    }

    [Fact]
    public void a_missing_id_is_refused_naming_the_field()
    {
        var rejection = Handle([("stat", "DELIVRD")]).ShouldBeOfType<AdapterResult.Rejected>().Rejection;
        rejection.Reason.ShouldBe(RejectionReasons.MissingId);
        rejection.Detail.ShouldContain("msgid");
    }

    [Fact]
    public void an_unparseable_time_is_refused()
    {
        Handle([("msgid", "r-3"), ("stat", "DELIVRD"), ("done_time", "yesterday")])
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.BadTime);
    }

    [Fact]
    public void field_names_status_lists_time_format_and_zone_come_from_the_account_options()
    {
        var account = Account(options:
        [
            ("IdField", "id"), ("StatusField", "state"), ("TimeField", "at"), ("TimeFormat", "yyyy-MM-dd'T'HH:mm:ss"), ("TimeZone", "UTC"),
            ("PhoneField", "to"), ("OutIdField", "ref"), ("PartsField", "segments"), ("DeliveredValues", "ok"), ("PendingValues", "queued"),
            ("Reply", "received"),
        ]);

        var accepted = Handle([("id", "r-4"), ("state", "OK"), ("at", "2026-11-25T10:32:05"), ("to", "+8613800138000"), ("ref", "o-9"), ("segments", "3")], account)
            .ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.Body.ShouldBe("received");
        var item = accepted.Items.Single();
        item.MessageKey.ShouldBe("r-4");
        item.Report.Status.ShouldBe(DeliveryStatus.Delivered);
        item.Report.ProviderTime!.Utc.ShouldBe(DateTimeOffset.Parse("2026-11-25T10:32:05Z"));
        item.Report.ProviderTime.Raw.ShouldBe("2026-11-25T10:32:05");
        item.Report.ProviderTime.Rule.ShouldContain("UTC");
        item.Report.Phone.ShouldBe("+8613800138000");
        item.Report.OutId.ShouldBe("o-9");
        item.Report.BilledParts.ShouldBe(3);

        ReportOf(Handle([("id", "r-5"), ("state", "queued")], account)).Status.ShouldBe(DeliveryStatus.Pending);
    }

    [Fact]
    public void an_epoch_time_format_reads_seconds_or_milliseconds()
    {
        var account = Account(options: ("TimeFormat", "epoch"));
        ReportOf(Handle([("msgid", "r-6"), ("done_time", "1795573925000")], account)).ProviderTime!.Utc
            .ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1795573925));
    }

    [Fact]
    public void a_time_zone_that_is_not_an_offset_is_refused_naming_the_option()
    {
        Handle(Report("r-7"), Account(options: ("TimeZone", "Asia/Shanghai")))
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection.Detail.ShouldContain("Options__TimeZone");
    }

    private static AdapterResult HandleJson(string json, params (string Key, string Value)[] options)
    {
        var account = Account(options: [("StringToSign", "raw-body"), ("SignedHeaders", "none"), ("TimestampHeader", "none"), ("NonceHeader", "none"), .. options]);
        return Adapter.Handle(Request(json, "application/json", ("X-Signature", HmacSha256Hex("s1", json))), account, Now);
    }

    [Fact]
    public void a_dotted_field_name_reads_a_nested_value_as_text_whether_string_number_or_boolean()
    {
        var report = ReportOf(HandleJson("""{"data":{"id":"n-1","state":{"code":0},"n":{"parts":2},"to":true}}""",
            ("IdField", "data.id"), ("StatusField", "data.state.code"), ("PartsField", "data.n.parts"), ("PhoneField", "data.to")));

        report.Status.ShouldBe(DeliveryStatus.Delivered);
        report.ProviderStatus.ShouldBe("0");
        report.BilledParts.ShouldBe(2);
        report.Phone.ShouldBe("true");
    }

    [Fact]
    public void a_top_level_name_containing_a_dot_is_read_as_written_before_any_path()
    {
        var accepted = HandleJson("""{"msg.id":"literal","msg":{"id":"nested"}}""", ("IdField", "msg.id")).ShouldBeOfType<AdapterResult.Accepted>();
        accepted.Items.Single().MessageKey.ShouldBe("literal");
    }

    [Fact]
    public void a_path_that_reaches_an_object_an_array_or_nothing_reads_as_missing()
    {
        HandleJson("""{"data":{"id":{"v":"x"}}}""", ("IdField", "data.id")).ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.MissingId);
        HandleJson("""{"data":[{"id":"x"}]}""", ("IdField", "data.id")).ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.MissingId);
        ReportOf(HandleJson("""{"msgid":"n-2","data":{}}""", ("StatusField", "data.stat"))).Status.ShouldBe(DeliveryStatus.Unknown);
    }

    [Fact]
    public void a_form_field_named_with_a_dot_is_read_as_written()
    {
        ReportOf(Handle([("msgid", "n-3"), ("report.stat", "UNDELIV")], Account(options: ("StatusField", "report.stat")))).ErrorCode.ShouldBe("UNDELIV");
    }

    [Fact]
    public void an_error_code_field_and_a_description_field_carry_the_gateways_own_code_and_text()
    {
        var account = Account(options: [("ErrorCodeField", "err"), ("DescriptionField", "detail")]);
        var failed = ReportOf(Handle([("msgid", "e-1"), ("stat", "FAIL"), ("err", "DB:0103"), ("detail", "停机")], account));
        failed.ProviderStatus.ShouldBe("FAIL");
        failed.ErrorCode.ShouldBe("DB:0103");
        failed.Description.ShouldBe("停机");

        ReportOf(Handle([("msgid", "e-2"), ("stat", "FAIL")], account)).ErrorCode.ShouldBe("FAIL"); // no code sent: the status is the code
        ReportOf(Handle([("msgid", "e-3"), ("stat", "DELIVRD"), ("err", "DELIVRD")], account)).ErrorCode.ShouldBeNull();
    }

    [Fact]
    public void pending_values_none_makes_every_status_but_the_delivered_ones_final()
    {
        ReportOf(Handle([("msgid", "e-4"), ("stat", "ENROUTE")], Account(options: ("PendingValues", "none")))).Status.ShouldBe(DeliveryStatus.Failed);
    }
}
