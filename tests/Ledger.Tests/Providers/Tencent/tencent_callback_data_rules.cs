using System.Text;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Providers.Tencent;
using Ledger.Tests.Support;
using Ledger.Time;

namespace Ledger.Tests.Providers.Tencent;

/// <summary>The Tencent adapter, as a pure function, on reports wrapped in callbackData.</summary>
public sealed class tencent_callback_data_rules
{
    private static readonly TencentAdapter Adapter = new();
    private static readonly ProviderAccount Account = new() { Name = "default" };
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T02:32:06Z");

    private static AdapterResult Handle(string body, ProviderAccount? account = null, string contentType = "application/json") =>
        HandleBytes(Encoding.UTF8.GetBytes(body), account, contentType);

    private static AdapterResult HandleBytes(byte[] body, ProviderAccount? account = null, string contentType = "application/json") => Adapter.Handle(new RawCallback(
        Guid.NewGuid(), "POST", "http://localhost/callbacks/tencent", "/callbacks/tencent", "",
        [new HeaderEntry("Content-Type", contentType)], body, "127.0.0.1", Now), account ?? Account, Now);

    private static Rejection Refusal(string body) => Handle(body).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    [Fact]
    public void a_wrapped_array_is_read_like_the_usual_push_with_its_own_parser_version()
    {
        var delivered = Payloads.TencentItem("sid-1", "SUCCESS");
        var failed = Payloads.TencentItem("sid-2", "FAIL", "2026-11-25 10:33:00", "MK:0005", ext: "order-9");

        var accepted = Handle(TencentCallbackDataPayloads.Wrap(Payloads.Array(delivered, failed))).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Reply.ShouldBe(TencentAdapter.Received);
        accepted.Items.Select(i => i.MessageKey).ShouldBe(["sid-1", "sid-2"]);
        accepted.Items.Select(i => i.RawItem).ShouldBe([delivered.Trim(), failed.Trim()]);

        var first = accepted.Items[0].Report;
        first.Status.ShouldBe(DeliveryStatus.Delivered);
        first.Final.ShouldBeTrue();
        first.ProviderStatus.ShouldBe("SUCCESS");
        first.Phone.ShouldBe("+8613800138000");
        first.ParserVersion.ShouldBe(TencentCallbackData.ParserVersion);
        first.ParserVersion.ShouldBe("tencent-callbackdata/1");
        first.ProviderTime.ShouldBe(new ProviderTime("2026-11-25 10:32:04", DateTimeOffset.Parse("2026-11-25T02:32:04Z"), ProviderTimes.BeijingRule));

        var second = accepted.Items[1].Report;
        second.Status.ShouldBe(DeliveryStatus.Failed);
        second.ProviderStatus.ShouldBe("FAIL");
        second.ErrorCode.ShouldBe("MK:0005");
        second.OutId.ShouldBe("order-9");
    }

    [Fact]
    public void the_same_report_reads_the_same_wrapped_or_not_apart_from_the_parser_version()
    {
        var item = Payloads.TencentItem("sid-3", "FAIL", errmsg: "UNDELIV");

        var usual = Handle(Payloads.Array(item)).ShouldBeOfType<AdapterResult.Accepted>().Items.Single();
        var wrapped = Handle(TencentCallbackDataPayloads.Wrap(Payloads.Array(item))).ShouldBeOfType<AdapterResult.Accepted>().Items.Single();

        usual.Report.ParserVersion.ShouldBe("tencent/1");
        wrapped.ShouldBe(usual with { Report = usual.Report with { ParserVersion = "tencent-callbackdata/1" } });
    }

    [Fact]
    public void a_wrapped_lone_report_object_is_a_batch_of_one()
    {
        var accepted = Handle(TencentCallbackDataPayloads.Wrap(Payloads.TencentItem("sid-4", "SUCCESS"))).ShouldBeOfType<AdapterResult.Accepted>();

        accepted.Items.ShouldHaveSingleItem().MessageKey.ShouldBe("sid-4");
    }

    [Fact]
    public void the_usual_push_still_needs_its_array()
    {
        Refusal(Payloads.TencentItem("sid-5", "SUCCESS")).Detail.ShouldContain("JSON array");
    }

    [Fact]
    public void decoded_bytes_are_read_with_the_account_charset_and_a_byte_order_mark_is_skipped()
    {
        var gbk = new ProviderAccount { Name = "gbk", Charset = "GB18030" };
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var item = Payloads.TencentItem("sid-6", "FAIL", errmsg: "空号");
        var inGbk = Convert.ToBase64String(Encoding.GetEncoding("GB18030").GetBytes(Payloads.Array(item)));
        Handle(TencentCallbackDataPayloads.Envelope(inGbk), gbk).ShouldBeOfType<AdapterResult.Accepted>()
            .Items.Single().Report.ErrorCode.ShouldBe("空号");

        var withBom = Convert.ToBase64String([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Payloads.Array(item))]);
        Handle(TencentCallbackDataPayloads.Envelope(withBom)).ShouldBeOfType<AdapterResult.Accepted>()
            .Items.Single().Report.ErrorCode.ShouldBe("空号");
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("W3siaWQiOjF9XQ")] // unpadded
    [InlineData("W3siaWQiOjF9XQ-_")] // URL-safe alphabet
    public void call_back_data_that_is_not_base64_is_refused_as_malformed(string callbackData)
    {
        var rejection = Refusal(TencentCallbackDataPayloads.Envelope(callbackData));

        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldContain("callbackData is not Base64");
    }

    [Theory]
    [InlineData("garbage, not JSON")]
    [InlineData("[{\"sid\":")]
    public void base64_of_something_that_is_not_json_is_refused_as_malformed(string decoded)
    {
        var rejection = Refusal(TencentCallbackDataPayloads.Wrap(decoded));

        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.StatusCode.ShouldBe(400);
        rejection.Detail.ShouldStartWith("callbackData, once Base64-decoded, is not valid JSON");
    }

    [Fact]
    public void base64_of_random_bytes_is_refused_as_malformed()
    {
        var random = new byte[64];
        new Random(19).NextBytes(random);
        random[0] = 0xFF; // never a byte-order mark or a JSON start

        Refusal(TencentCallbackDataPayloads.Envelope(Convert.ToBase64String(random))).Reason.ShouldBe(RejectionReasons.Malformed);
    }

    [Theory]
    [InlineData("""{"callbackData":""}""")]
    [InlineData("""{"callbackData":null}""")]
    [InlineData("""{"callbackData":[{"sid":"x"}]}""")]
    [InlineData("""{"callbackData":42}""")]
    public void call_back_data_that_is_not_a_base64_string_is_refused(string body)
    {
        var rejection = Refusal(body);
        rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        rejection.Detail.ShouldContain("callbackData must be a non-empty string of Base64");
    }

    [Fact]
    public void a_wrapped_batch_is_refused_for_the_same_reasons_as_the_usual_push()
    {
        Refusal(TencentCallbackDataPayloads.Wrap("[]")).Reason.ShouldBe(RejectionReasons.EmptyBatch);
        Refusal(TencentCallbackDataPayloads.Wrap("\"text\"")).Detail.ShouldContain("JSON array");

        var noSid = Refusal(TencentCallbackDataPayloads.Wrap(Payloads.Array(Payloads.TencentItem("", "SUCCESS"))));
        noSid.Reason.ShouldBe(RejectionReasons.MissingId);
        noSid.Detail.ShouldStartWith("Item 0:");

        // One bad item beside a good one: the good one is accepted, the bad one refused on its own (partial batch).
        var partial = Handle(TencentCallbackDataPayloads.Wrap(Payloads.Array(Payloads.TencentItem("ok", "SUCCESS"), Payloads.TencentItem("", "SUCCESS"))),
            new ProviderAccount { Name = "default" }).ShouldBeOfType<AdapterResult.Accepted>();
        partial.Items.Single().MessageKey.ShouldBe("ok");
        partial.RefusedItems.Single().Index.ShouldBe(1);
        partial.RefusedItems.Single().Rejection.Reason.ShouldBe(RejectionReasons.MissingId);

        Refusal(TencentCallbackDataPayloads.Wrap(Payloads.TencentItem("sid-7", "SUCCESS", receiveTime: "yesterday"))).Reason.ShouldBe(RejectionReasons.BadTime);
    }

    [Fact]
    public void the_url_token_is_checked_before_call_back_data_is_decoded()
    {
        var guarded = new ProviderAccount { Name = "default", Token = "s3cret" };

        Handle(TencentCallbackDataPayloads.Envelope("not base64"), guarded).ShouldBeOfType<AdapterResult.Rejected>()
            .Rejection.Reason.ShouldBe(RejectionReasons.BadToken);
    }
}
