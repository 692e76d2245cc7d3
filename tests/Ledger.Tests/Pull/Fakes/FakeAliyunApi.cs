using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Tests.Pull.Fakes;

/// <summary>
/// dysmsapi as far as QuerySendDetails goes. It recomputes the RPC v1.0 signature from the query it
/// received, with .NET's own RFC 3986 escaping (Uri.EscapeDataString), so the ledger's signer is checked
/// against an independent implementation, and it refuses a reused SignatureNonce as Alibaba does.
/// </summary>
public sealed class FakeAliyunApi : FakeProviderApi
{
    public const string AccessKeyId = "LTAI-fake-key-id";
    public const string AccessKeySecret = "fake-aliyun-secret-Zq8#";

    private readonly ConcurrentDictionary<string, bool> _nonces = new();

    /// <summary>The answer to an authenticated, unthrottled query (the documented sample by default).</summary>
    public string Body { get; set; } = DocumentedAnswers.AliyunQuerySendDetails;

    /// <summary>When true, throttling is answered as the SMS business limit (HTTP 200), else as user flow control (HTTP 400).</summary>
    public bool ThrottleAsBusinessLimit { get; set; }

    private FakeAliyunApi()
    {
    }

    public static async Task<FakeAliyunApi> StartAsync()
    {
        var api = new FakeAliyunApi();
        await api.StartHostAsync();
        return api;
    }

    /// <summary>Alibaba's scheme written out again: sort, escape, join, escape again behind "GET&%2F&", HMAC-SHA1 with "secret&".</summary>
    public static string ExpectedSignature(string method, IEnumerable<KeyValuePair<string, string>> parameters, string secret)
    {
        var canonical = string.Join("&", parameters.Where(p => p.Key != "Signature")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var stringToSign = method + "&" + Uri.EscapeDataString("/") + "&" + Uri.EscapeDataString(canonical);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
    }

    protected override FakeReply? Authenticate(FakeRequest request)
    {
        var parameters = request.QueryParameters();
        string? Value(string name) => parameters.FirstOrDefault(p => p.Key == name).Value;
        if (Value("AccessKeyId") != AccessKeyId)
        {
            return new FakeReply(404, DocumentedAnswers.AliyunError("InvalidAccessKeyId.NotFound", "Specified access key is not found."));
        }

        if (Value("SignatureMethod") != "HMAC-SHA1" || Value("SignatureVersion") != "1.0" || Value("Timestamp") is null)
        {
            return new FakeReply(400, DocumentedAnswers.AliyunError("MissingParameter", "SignatureMethod, SignatureVersion and Timestamp are required."));
        }

        var presented = Value("Signature");
        var expected = ExpectedSignature(request.Method, parameters, AccessKeySecret);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(expected)))
        {
            return new FakeReply(400, DocumentedAnswers.AliyunError("SignatureDoesNotMatch", "Specified signature is not matched with our calculation."));
        }

        if (Value("SignatureNonce") is not { Length: > 0 } nonce || !_nonces.TryAdd(nonce, true))
        {
            return new FakeReply(400, DocumentedAnswers.AliyunError("SignatureNonceUsed", "Specified signature nonce was used already."));
        }

        return null;
    }

    protected override FakeReply Throttled(FakeRequest request) => ThrottleAsBusinessLimit
        ? new FakeReply(200, DocumentedAnswers.AliyunError("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"))
        : new FakeReply(400, DocumentedAnswers.AliyunError("Throttling.User", "Request was denied due to user flow control."));

    protected override FakeReply Answer(FakeRequest request)
    {
        var parameters = request.QueryParameters();
        return parameters.FirstOrDefault(p => p.Key == "Action").Value == "QuerySendDetails"
               && parameters.FirstOrDefault(p => p.Key == "Version").Value == "2017-05-25"
            ? new FakeReply(200, Body)
            : new FakeReply(404, DocumentedAnswers.AliyunError("InvalidApi.NotFound", "Specified api is not found, please check your url and method."));
    }
}
