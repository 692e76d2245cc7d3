using System.Text;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Providers.Huawei;

namespace Ledger.Tests.Providers.Huawei;

/// <summary>AK/SK signing as pure functions, on Huawei's own worked example and on requests behind a proxy.</summary>
public sealed class huawei_signature_rules
{
    // The worked example of https://support.huaweicloud.com/devg-apisign/api-sign-algorithm-002.html … -005.html
    // (also the test vector of Huawei's signing SDKs): a GET with an empty body.
    private const string ExampleKey = "QTWAOYTTINDUT2QVKYUC";
    private const string ExampleSecret = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
    private const string ExampleDate = "20191115T033655Z";
    private const string ExampleHashedCanonicalRequest = "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a";
    private const string ExampleSignature = "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe";
    private const string ExampleAuthorization = $"SDK-HMAC-SHA256 Access={ExampleKey}, SignedHeaders=content-type;host;x-sdk-date, Signature={ExampleSignature}";

    private static readonly HuaweiAdapter Adapter = new();

    private static ProviderAccount Account(string key, string secret, params (string Name, string Value)[] options)
    {
        var account = new ProviderAccount { Name = "signed", Secrets = [secret] };
        account.Options[HuaweiAdapter.AppKeyOption] = key;
        foreach (var (name, value) in options)
        {
            account.Options[name] = value;
        }

        return account;
    }

    private static RawCallback ExampleRequest(string authorization = ExampleAuthorization) => new(
        Guid.NewGuid(), "GET",
        "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?marker=13551d6b-755d-4757-b956-536f674975c0&limit=2",
        "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs", "?marker=13551d6b-755d-4757-b956-536f674975c0&limit=2",
        [new("Content-Type", "application/json"), new("Host", "service.region.example.com"), new("X-Sdk-Date", ExampleDate), new("Authorization", authorization)],
        [], "203.0.113.9", DateTimeOffset.Parse("2019-11-15T03:36:55Z"));

    [Fact]
    public void the_test_signer_reproduces_huaweis_worked_example()
    {
        HuaweiSigner.Authorization(ExampleKey, ExampleSecret, "GET", "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
                [("marker", "13551d6b-755d-4757-b956-536f674975c0"), ("limit", "2")],
                [("Content-Type", "application/json"), ("Host", "service.region.example.com"), ("X-Sdk-Date", ExampleDate)], [], ExampleDate)
            .ShouldBe(ExampleAuthorization);
    }

    [Fact]
    public void the_ledgers_canonical_request_string_to_sign_and_signature_match_huaweis_worked_example()
    {
        var signedHeaders = new[] { "content-type", "host", "x-sdk-date" };
        var request = ExampleRequest();
        var canonical = HuaweiSignature.CanonicalRequest("GET",
            HuaweiSignature.CanonicalUri(request.Path),
            HuaweiSignature.CanonicalQuery(request.Query),
            HuaweiSignature.CanonicalHeaders(signedHeaders, name => request.Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)),
            signedHeaders,
            HuaweiSignature.PayloadHash([]));

        canonical.ShouldBe("GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n" +
                           "content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n" +
                           "content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        var stringToSign = HuaweiSignature.StringToSign(ExampleDate, canonical);
        stringToSign.ShouldBe($"SDK-HMAC-SHA256\n{ExampleDate}\n{ExampleHashedCanonicalRequest}");
        HuaweiSignature.Compute(ExampleSecret, stringToSign).ShouldBe(ExampleSignature);
    }

    [Fact]
    public void the_worked_example_passes_verification_and_fails_with_one_hex_digit_changed()
    {
        var account = Account(ExampleKey, ExampleSecret);
        var at = DateTimeOffset.Parse("2019-11-15T03:36:55Z");

        // Verified, then refused for what it is: a GET without a report (not a 401).
        Adapter.Handle(ExampleRequest(), account, at).ShouldBeOfType<AdapterResult.Rejected>().Rejection.Reason.ShouldBe(RejectionReasons.Malformed);
        Adapter.Handle(ExampleRequest(ExampleAuthorization[..^1] + "f"), account, at).ShouldBeOfType<AdapterResult.Rejected>()
            .Rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
    }

    [Fact]
    public void percent_encoding_keeps_only_the_unreserved_characters()
    {
        HuaweiSignature.Encode("a-b_c.d~e f/g+h*中").ShouldBe("a-b_c.d~e%20f%2Fg%2Bh%2A%E4%B8%AD");
        HuaweiSignature.CanonicalUri("/callbacks/huawei").ShouldBe("/callbacks/huawei/");
        HuaweiSignature.CanonicalUri("/").ShouldBe("/");
    }

    [Fact]
    public void behind_a_proxy_the_public_url_and_its_host_are_what_was_signed()
    {
        var body = HuaweiRequests.SingleForm("proxied-1");
        var at = DateTimeOffset.Parse("2026-11-25T02:40:00Z");
        var sdkDate = HuaweiSigner.SdkDate(at);
        var authorization = HuaweiSigner.Authorization(HuaweiSigner.AppKey, HuaweiSigner.NewSecret, "POST", "/ledger/callbacks/huawei/signed",
            [("token", "t 1")], [("Content-Type", HuaweiRequests.Form), ("Host", "sms.example.com"), ("X-Sdk-Date", sdkDate)], Encoding.UTF8.GetBytes(body), sdkDate);

        // Ledger__PublicBaseUrl=https://sms.example.com/ledger; the proxy called us as internal:8080/callbacks/huawei/signed.
        var request = new RawCallback(Guid.NewGuid(), "POST", "https://sms.example.com:443/ledger/callbacks/huawei/signed?token=t%201", "/callbacks/huawei/signed", "?token=t%201",
            [new("Content-Type", HuaweiRequests.Form), new("Host", "internal:8080"), new("X-Sdk-Date", sdkDate), new("Authorization", authorization)],
            Encoding.UTF8.GetBytes(body), "10.0.0.2", at);

        Adapter.Handle(request, Account(HuaweiSigner.AppKey, HuaweiSigner.NewSecret), at).ShouldBeOfType<AdapterResult.Accepted>();
    }

    [Fact]
    public void an_unsigned_payload_is_refused_even_when_the_rest_is_signed()
    {
        var at = DateTimeOffset.Parse("2026-11-25T02:40:00Z");
        var sdkDate = HuaweiSigner.SdkDate(at);
        var body = HuaweiRequests.SingleForm("unsigned-payload");
        var authorization = HuaweiSigner.Authorization(HuaweiSigner.AppKey, HuaweiSigner.NewSecret, "POST", "/callbacks/huawei/signed", [],
            [("Host", "ledger.example"), ("X-Sdk-Date", sdkDate)], Encoding.UTF8.GetBytes(body), sdkDate);
        var request = new RawCallback(Guid.NewGuid(), "POST", "https://ledger.example/callbacks/huawei/signed", "/callbacks/huawei/signed", "",
            [new("Content-Type", HuaweiRequests.Form), new("X-Sdk-Date", sdkDate), new("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"), new("Authorization", authorization)],
            Encoding.UTF8.GetBytes(body), "203.0.113.9", at);

        var rejection = Adapter.Handle(request, Account(HuaweiSigner.AppKey, HuaweiSigner.NewSecret), at).ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.StatusCode.ShouldBe(401);
    }

    [Fact]
    public void an_account_with_secrets_but_no_app_key_refuses_rather_than_accept_unsigned_reports()
    {
        var account = new ProviderAccount { Name = "half", Secrets = ["s"] };

        var rejection = Adapter.Handle(HuaweiRequests.Raw(HuaweiRequests.SingleForm("half-1"), HuaweiRequests.Form), account, DateTimeOffset.UtcNow)
            .ShouldBeOfType<AdapterResult.Rejected>().Rejection;

        rejection.Reason.ShouldBe(RejectionReasons.BadSignature);
        rejection.Detail.ShouldContain("Ledger__Providers__huawei__half__Options__AppKey");
    }
}
