using Ledger.Providers.Tencent;

namespace Ledger.Tests.Pull;

/// <summary>
/// TencentCloud API 3.0 "Signature v3" (TC3-HMAC-SHA256), held to the documentation's worked example:
/// DescribeInstances on cvm, timestamp 1551113065, SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE
/// (https://www.tencentcloud.com/document/api/382/40467, the SMS product's copy of "Signature v3").
/// </summary>
public sealed class tc3_signature
{
    private const string Payload = """{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}""";
    private const string SecretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    private const long Timestamp = 1551113065;

    private static readonly KeyValuePair<string, string>[] SignedHeaders =
    [
        new("Content-Type", "application/json; charset=utf-8"),
        new("Host", "cvm.tencentcloudapi.com"),
    ];

    [Fact]
    public void the_documented_payload_hashes_to_the_documented_value() =>
        Tc3Signer.Sha256Hex(Payload).ShouldBe("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");

    [Fact]
    public void the_documented_canonical_request_is_built_byte_for_byte()
    {
        var canonical = Tc3Signer.CanonicalRequest("POST", "", SignedHeaders, Payload, out var signedHeaders);
        signedHeaders.ShouldBe("content-type;host");
        canonical.ShouldBe("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
            + "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        Tc3Signer.Sha256Hex(canonical).ShouldBe("5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
    }

    [Fact]
    public void the_documented_string_to_sign_and_signature_are_reproduced()
    {
        var canonical = Tc3Signer.CanonicalRequest("POST", "", SignedHeaders, Payload, out _);
        var stringToSign = Tc3Signer.StringToSign(Timestamp, "cvm", canonical);
        stringToSign.ShouldBe("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
        Tc3Signer.Sign(SecretKey, Timestamp, "cvm", stringToSign).ShouldBe("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
    }

    [Fact]
    public void the_documented_authorization_header_is_reproduced() =>
        Tc3Signer.AuthorizePost("AKID**********************0123456789EXAMPLE", SecretKey, Timestamp, "cvm", SignedHeaders, Payload).ShouldBe(
            "TC3-HMAC-SHA256 Credential=AKID**********************0123456789EXAMPLE/2019-02-25/cvm/tc3_request, "
            + "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");

    [Fact]
    public void the_scope_date_is_the_utc_date_even_when_beijing_is_already_on_the_next_day() =>
        // "if the timestamp is 1551113065 and the time in UTC+8 is 2019-02-26 00:44:25, … the Date value should be 2019-02-25"
        Tc3Signer.Date(Timestamp).ShouldBe("2019-02-25");
}
