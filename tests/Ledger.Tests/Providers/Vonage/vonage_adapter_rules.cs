using Ledger.Events;
using Ledger.Providers;
using Ledger.Providers.Vonage;
using static Ledger.Tests.Providers.Vonage.VonageRequests;

namespace Ledger.Tests.Providers.Vonage;

/// <summary>The adapter as a pure function: no host, no database.</summary>
public sealed class vonage_adapter_rules
{
    private static readonly VonageAdapter Adapter = new();
    private static readonly ProviderAccount Unsigned = new() { Name = "default" };
    private static readonly ProviderAccount SignedAccount = new() { Name = "signed", Secrets = ["old-signature-secret", "new-signature-secret"] };

    private static AdapterResult Get(List<KeyValuePair<string, string>> parameters, ProviderAccount account, DateTimeOffset? now = null) =>
        Adapter.Handle(Raw("GET", Encoded(parameters)), account, now ?? DateTimeOffset.UtcNow);

    private static CallbackItem Accepted(AdapterResult result) =>
        result.ShouldBeOfType<AdapterResult.Accepted>().Items.ShouldHaveSingleItem();

    private static Rejection Rejected(AdapterResult result) => result.ShouldBeOfType<AdapterResult.Rejected>().Rejection;

    /// <summary>The documented DLR example with a client-ref holding `=` and `&amp;`, signed with md5hash worked out by hand.</summary>
    [Fact]
    public void the_md5hash_signature_is_md5_of_the_sorted_pairs_followed_by_the_secret()
    {
        List<KeyValuePair<string, string>> parameters =
        [
            new("err-code", "0"), new("message-timestamp", "2018-10-25 12:10:29"), new("messageId", "0B00000127FDBC63"),
            new("msisdn", "447547232824"), new("network-code", "23410"), new("price", "0.03330000"), new("scts", "1810251310"),
            new("status", "delivered"), new("to", "Nexmo CLI"), new("timestamp", "1540469429"), new("client-ref", "order=1&x"),
        ];
        const string byHand = "&client-ref=order_1_x&err-code=0&message-timestamp=2018-10-25 12:10:29&messageId=0B00000127FDBC63"
            + "&msisdn=447547232824&network-code=23410&price=0.03330000&scts=1810251310&status=delivered&timestamp=1540469429&to=Nexmo CLI";

        VonageSignature.SignedText(parameters).ShouldBe(byHand);
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(byHand + "my-signature-secret")));
        md5.ShouldBe("998533a4611cf1ee102e97c4ff5409d6");
        VonageSignature.Compute("md5hash", "my-signature-secret", byHand).ShouldBe(md5);
        VonageSignature.Compute("sha256", "my-signature-secret", byHand).ShouldBe("acd2c0bae160d6926075de98446ea83d0cf0e05b95ebc34c0a026d857d74e106");

        parameters.Add(new("sig", md5.ToUpperInvariant()));
        var account = new ProviderAccount { Secrets = ["my-signature-secret"] };
        Accepted(Get(parameters, account, DateTimeOffset.FromUnixTimeSeconds(1540469429 + 60))).MessageKey.ShouldBe("0B00000127FDBC63");
    }

    [Theory]
    [InlineData("accepted", DeliveryStatus.Pending, false)]
    [InlineData("buffered", DeliveryStatus.Pending, false)]
    [InlineData("delivered", DeliveryStatus.Delivered, true)]
    [InlineData("expired", DeliveryStatus.Failed, true)]
    [InlineData("failed", DeliveryStatus.Failed, true)]
    [InlineData("rejected", DeliveryStatus.Failed, true)]
    [InlineData("unknown", DeliveryStatus.Unknown, false)]
    [InlineData("something_new", DeliveryStatus.Unknown, false)]
    public void each_receipt_status_maps_to_a_normalized_status(string receiptStatus, DeliveryStatus status, bool final)
    {
        var report = Accepted(Get(Receipt(NewId(), receiptStatus), Unsigned)).Report;
        report.Status.ShouldBe(status);
        report.Final.ShouldBe(final);
        report.ProviderStatus.ShouldBe(receiptStatus);
    }

    [Fact]
    public void a_receipt_carries_phone_client_ref_error_code_and_message_timestamp_as_utc()
    {
        var parameters = Receipt(NewId(), "failed", errCode: "6");
        parameters.Add(new("client-ref", "order-42"));

        var report = Accepted(Get(parameters, Unsigned)).Report;

        report.Phone.ShouldBe("447547232824");
        report.OutId.ShouldBe("order-42");
        report.ErrorCode.ShouldBe("6");
        report.ProviderTime!.Raw.ShouldBe("2026-11-25 10:32:05");
        report.ProviderTime.Utc.ShouldBe(new DateTimeOffset(2026, 11, 25, 10, 32, 5, TimeSpan.Zero));
        report.ProviderTime.Rule.ShouldBe(VonageAdapter.MessageTimestampRule);
    }

    [Fact]
    public void err_code_zero_means_no_error()
    {
        Accepted(Get(Receipt(NewId()), Unsigned)).Report.ErrorCode.ShouldBeNull();
    }

    [Fact]
    public void without_message_timestamp_scts_is_the_provider_time_read_as_assumed_utc()
    {
        var parameters = Receipt(NewId()).Where(p => p.Key != "message-timestamp").ToList();

        var time = Accepted(Get(parameters, Unsigned)).Report.ProviderTime!;

        time.Raw.ShouldBe("2611251132");
        time.Utc.ShouldBe(new DateTimeOffset(2026, 11, 25, 11, 32, 0, TimeSpan.Zero));
        time.Rule.ShouldBe(VonageAdapter.SctsRule);
    }

    [Fact]
    public void an_unreadable_message_timestamp_is_refused_as_bad_time()
    {
        var parameters = Receipt(NewId()).Select(p => p.Key == "message-timestamp" ? new KeyValuePair<string, string>(p.Key, "25/11/2026") : p).ToList();
        Rejected(Get(parameters, Unsigned)).Reason.ShouldBe(RejectionReasons.BadTime);
    }

    [Fact]
    public void a_receipt_without_message_id_is_refused()
    {
        Rejected(Get(Receipt("").Where(p => p.Key != "messageId").ToList(), Unsigned)).Reason.ShouldBe(RejectionReasons.MissingId);
    }

    [Fact]
    public void form_and_json_posts_read_the_same_as_a_get()
    {
        var id = NewId();
        var fromGet = Accepted(Get(Receipt(id), Unsigned)).Report;
        var fromForm = Accepted(Adapter.Handle(Raw("POST", "", Encoded(Receipt(id)), "application/x-www-form-urlencoded"), Unsigned, DateTimeOffset.UtcNow)).Report;
        var fromJson = Accepted(Adapter.Handle(Raw("POST", "", Json(Receipt(id)), "application/json"), Unsigned, DateTimeOffset.UtcNow)).Report;

        fromForm.ShouldBe(fromGet);
        fromJson.ShouldBe(fromGet);
    }

    [Fact]
    public void a_post_that_is_neither_form_nor_json_is_refused_as_the_wrong_content_type()
    {
        Rejected(Adapter.Handle(Raw("POST", "", "<dlr/>", "application/xml"), Unsigned, DateTimeOffset.UtcNow)).Reason.ShouldBe(RejectionReasons.WrongContentType);
    }

    [Fact]
    public void a_signed_receipt_claims_its_nonce_until_the_timestamp_would_be_stale()
    {
        var now = DateTimeOffset.UtcNow;
        var signed = Signed(Receipt(NewId()), "new-signature-secret", now);
        var nonce = Get(signed, SignedAccount, now).ShouldBeOfType<AdapterResult.Accepted>().Nonce.ShouldNotBeNull();
        nonce.Value.ShouldBe(signed.Single(p => p.Key == "nonce").Value);
        nonce.ExpiresAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()).AddSeconds(300));
    }

    [Fact]
    public void a_signed_account_refuses_an_unsigned_receipt()
    {
        Rejected(Get(Receipt(NewId()), SignedAccount)).Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void a_signed_receipt_without_timestamp_is_refused()
    {
        var parameters = Signed(Receipt(NewId()), "new-signature-secret").Where(p => p.Key != "timestamp").ToList();
        Rejected(Get(parameters, SignedAccount)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
    }

    [Fact]
    public void an_unsupported_signature_method_is_refused_and_names_the_setting()
    {
        var account = new ProviderAccount { Name = "odd", Secrets = ["s"], SignatureMethod = "crc32" };
        var rejection = Rejected(Get(Signed(Receipt(NewId()), "s"), account));
        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.Detail.ShouldContain("Ledger__Providers__vonage__odd__SignatureMethod");
    }

    [Fact]
    public void the_detail_of_a_refusal_never_contains_a_secret()
    {
        var rejection = Rejected(Get(Signed(Receipt(NewId()), "wrong-secret"), SignedAccount));
        rejection.Detail.ShouldNotContain("old-signature-secret");
        rejection.Detail.ShouldNotContain("new-signature-secret");
    }
}
