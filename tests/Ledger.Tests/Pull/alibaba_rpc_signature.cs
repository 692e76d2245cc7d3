using Ledger.Providers.Aliyun;
using Ledger.Tests.Pull.Fakes;

namespace Ledger.Tests.Pull;

/// <summary>Alibaba's RPC "signature version 1.0" (HMAC-SHA1), held to the worked example of its own documentation.</summary>
public sealed class alibaba_rpc_signature
{
    /// <summary>
    /// The "签名机制" worked example: DescribeRegions with AccessKeyId testid and secret testsecret
    /// (https://developer.aliyun.com/ask/210168 reproduces it with its StringToSign and signature).
    /// </summary>
    private static readonly KeyValuePair<string, string>[] DocumentedExample =
    [
        new("TimeStamp", "2016-02-23T12:46:24Z"),
        new("Format", "XML"),
        new("AccessKeyId", "testid"),
        new("Action", "DescribeRegions"),
        new("SignatureMethod", "HMAC-SHA1"),
        new("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        new("Version", "2014-05-26"),
        new("SignatureVersion", "1.0"),
    ];

    [Fact]
    public void the_documented_example_gives_the_documented_string_to_sign()
    {
        AliyunRpcSigner.StringToSign("GET", AliyunRpcSigner.CanonicalQuery(DocumentedExample)).ShouldBe(
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
            + "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
            + "%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
    }

    [Fact]
    public void the_documented_example_gives_the_documented_signature() =>
        AliyunRpcSigner.Sign("GET", DocumentedExample, "testsecret").ShouldBe("CT9X0VtwR86fNWSnsc6v8YGOjuE=");

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b*c~d", "a%2Bb%2Ac~d")]
    [InlineData("134523^435****", "134523%5E435%2A%2A%2A%2A")]
    [InlineData("-_.~AZaz09", "-_.~AZaz09")]
    [InlineData("短信", "%E7%9F%AD%E4%BF%A1")]
    [InlineData("2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z")]
    public void values_are_percent_encoded_as_rfc_3986_with_upper_case_hex(string value, string encoded) =>
        AliyunRpcSigner.PercentEncode(value).ShouldBe(encoded);

    [Fact]
    public void parameters_sort_by_byte_so_upper_case_names_come_first() =>
        AliyunRpcSigner.CanonicalQuery([new("b", "1"), new("B", "2"), new("a", "3"), new("Signature", "ignored")]).ShouldBe("B=2&a=3&b=1");

    [Fact]
    public void the_signer_agrees_with_the_fakes_independent_computation()
    {
        KeyValuePair<string, string>[] parameters =
        [
            new("PhoneNumber", "+86 138-0013*8000"), new("BizId", "134523^435****"), new("Content", "验证码 ~ 100%"), new("Timestamp", "2026-12-04T10:00:00Z"),
        ];
        AliyunRpcSigner.Sign("GET", parameters, "s3cr&t/+=").ShouldBe(FakeAliyunApi.ExpectedSignature("GET", parameters, "s3cr&t/+="));
    }
}
