using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Tests.Pull.Fakes;

/// <summary>
/// sms.tencentcloudapi.com as far as PullSmsSendStatusByPhoneNumber goes. It rebuilds the TC3-HMAC-SHA256
/// canonical request from the headers and body it actually received (so what is signed must be what is
/// sent), derives the key with its own HMAC chain, and answers API 3.0's documented error shapes.
/// </summary>
public sealed class FakeTencentApi : FakeProviderApi
{
    public const string SecretId = "AKIDfakeTencentSecretId0000";
    public const string SecretKey = "fake-tencent-secret-Gu5t";
    public const string SdkAppId = "1400006666";

    public string Body { get; set; } = DocumentedAnswers.TencentPullSmsSendStatusByPhoneNumber;

    private FakeTencentApi()
    {
    }

    public static async Task<FakeTencentApi> StartAsync()
    {
        var api = new FakeTencentApi();
        await api.StartHostAsync();
        return api;
    }

    private static byte[] Hmac(byte[] key, string text) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>The signature the documentation's steps give for what was received.</summary>
    public static string ExpectedSignature(FakeRequest request, string signedHeaders, string secretKey, string date, string service)
    {
        var names = signedHeaders.Split(';');
        var canonicalHeaders = string.Concat(names.Select(n => n + ":" + (request.Header(n) ?? "").Trim().ToLowerInvariant() + "\n"));
        var canonicalRequest = string.Join("\n", request.Method, "/", request.RawQuery.TrimStart('?'), canonicalHeaders, signedHeaders,
            Hex(SHA256.HashData(request.Body)));
        var stringToSign = string.Join("\n", "TC3-HMAC-SHA256", request.Header("X-TC-Timestamp"), $"{date}/{service}/tc3_request",
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), date), service), "tc3_request");
        return Hex(Hmac(key, stringToSign));
    }

    private static FakeReply Error(string code, string message) => new(200, DocumentedAnswers.TencentError(code, message));

    protected override FakeReply? Authenticate(FakeRequest request)
    {
        // "TC3-HMAC-SHA256 Credential={id}/{date}/{service}/tc3_request, SignedHeaders=…, Signature=…"
        var authorization = request.Header("Authorization") ?? "";
        if (!authorization.StartsWith("TC3-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return Error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
        }

        var fields = authorization["TC3-HMAC-SHA256 ".Length..].Split(", ")
            .Select(part => part.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
        var credential = fields.GetValueOrDefault("Credential", "").Split('/');
        if (credential.Length != 4 || credential[0] != SecretId)
        {
            return Error("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.");
        }

        if (!long.TryParse(request.Header("X-TC-Timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return Error("AuthFailure.SignatureExpire", "Signature expired.");
        }

        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var signedHeaders = fields.GetValueOrDefault("SignedHeaders", "");
        if (credential[1] != date || credential[2] != "sms" || credential[3] != "tc3_request"
            || !signedHeaders.Split(';').Contains("content-type") || !signedHeaders.Split(';').Contains("host"))
        {
            return Error("AuthFailure.SignatureFailure", "The credential scope or the signed headers are wrong.");
        }

        var expected = ExpectedSignature(request, signedHeaders, SecretKey, date, "sms");
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(fields.GetValueOrDefault("Signature", "")), Encoding.ASCII.GetBytes(expected))
            ? null
            : Error("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.");
    }

    protected override FakeReply Throttled(FakeRequest request) => Error("RequestLimitExceeded", "请求的次数超过了频率限制。");

    protected override FakeReply Answer(FakeRequest request) =>
        request.Header("X-TC-Action") == "PullSmsSendStatusByPhoneNumber" && request.Header("X-TC-Version") == "2021-01-11"
            ? new FakeReply(200, Body)
            : Error("InvalidAction", "The requested action does not exist.");
}
