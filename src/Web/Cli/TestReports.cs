using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Ledger.Providers;
using Ledger.Providers.Baidu;
using Ledger.Providers.Huawei;
using Ledger.Providers.Twilio;
using Ledger.Providers.Vonage;

namespace Ledger.Web.Cli;

/// <summary>
/// A test report for `callback-urls --probe`, built and signed the way the provider would send it, so
/// the probe proves the URL, the token or signature settings and the reply end to end. It is a real
/// delivery report for a message of its own, keyed <c>ledger-probe-…</c>: it is recorded (that is the
/// point) and changes no real message.
/// </summary>
public static class TestReports
{
    public const string KeyPrefix = "ledger-probe-";

    /// <summary>The request to send, or null when the provider's scheme is configured per account (generic).</summary>
    public static HttpRequestMessage? For(CallbackUrl url, ProviderAccount account, DateTimeOffset now)
    {
        var key = KeyPrefix + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var beijing = now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        switch (url.Provider)
        {
            case "tencent":
                return Json(url.Url, $$"""[{"user_receive_time":"{{beijing}}","nationcode":"86","mobile":"","report_status":"SUCCESS","errmsg":"DELIVRD","description":"ledger probe","sid":"{{key}}","ext":""}]""");
            case "ronglian":
                var compact = now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
                return Json(url.Url, $$$"""{"Request":{"action":"SMSArrived","smsType":"1","apiVersion":"2013-12-26","content":"{{{key}}}","status":"0","deliverCode":"DELIVRD","recvTime":"{{{compact}}}","dateSent":"{{{compact}}}"}}""");
            case "huawei":
                var huawei = Form(url.Url, [new("smsMsgId", key), new("status", "DELIVRD"), new("updateTime", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))]);
                if (HuaweiAdapter.IsSigned(account))
                {
                    SignHuawei(huawei, account, now);
                }

                return huawei;
            case "twilio":
                List<KeyValuePair<string, string>> form = [new("MessageSid", key), new("MessageStatus", "delivered"), new("ApiVersion", "2010-04-01")];
                var request = Form(url.Url, form);
                if (account.Secrets.Count > 0)
                {
                    request.Headers.Add("X-Twilio-Signature",
                        TwilioSignature.Compute(account.Secrets[0], TwilioSignature.SignedText(url.Url, form), HashAlgorithmName.SHA1));
                }

                return request;
            case "vonage":
                List<KeyValuePair<string, string>> query = [new("messageId", key), new("status", "delivered"), new("err-code", "0"),
                    new("message-timestamp", now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))];
                if (account.Secrets.Count > 0)
                {
                    query.Add(new("timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
                    query.Add(new("nonce", Guid.NewGuid().ToString("N")));
                    var method = string.IsNullOrWhiteSpace(account.SignatureMethod) ? "md5hash" : account.SignatureMethod.Trim();
                    query.Add(new("sig", VonageSignature.Compute(method, account.Secrets[0], VonageSignature.SignedText(query))));
                }

                var separator = url.Url.Contains('?') ? "&" : "?";
                return new HttpRequestMessage(HttpMethod.Get, url.Url + separator + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
            case "baidu":
                var body = $$"""{"messageId":"{{key}}","code":"0","mobile":"","deliverTime":"{{now.UtcDateTime:yyyy-MM-dd HH:mm:ss}}"}""";
                var baidu = Json(url.Url, body);
                var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                baidu.Headers.Add("timestamp", timestamp);
                baidu.Headers.Add("requestId", Guid.NewGuid().ToString("N"));
                if (account.Secrets.Count > 0)
                {
                    baidu.Headers.Add("signature", BaiduSignature.Compute(account.Secrets[0], timestamp, Encoding.UTF8.GetBytes(body)));
                }

                return baidu;
            default:
                return null;
        }
    }

    private static HttpRequestMessage Json(string url, string body) => new(HttpMethod.Post, url)
    {
        Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
    };

    /// <summary>AK/SK-signs a form request over Content-Type, Host and X-Sdk-Date, as Huawei's SDKs do.</summary>
    private static void SignHuawei(HttpRequestMessage request, ProviderAccount account, DateTimeOffset now)
    {
        var uri = request.RequestUri!;
        var body = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var contentType = request.Content.Headers.ContentType!.ToString();
        var sdkDate = now.UtcDateTime.ToString(HuaweiSignature.DateFormat, CultureInfo.InvariantCulture);
        List<string> signedHeaders = ["content-type", "host", "x-sdk-date"];
        var values = new Dictionary<string, string> { ["content-type"] = contentType, ["host"] = uri.Authority, ["x-sdk-date"] = sdkDate };
        var canonical = HuaweiSignature.CanonicalRequest("POST", HuaweiSignature.CanonicalUri(uri.AbsolutePath),
            HuaweiSignature.CanonicalQuery(Ledger.Ingest.FormEncoding.Parse(uri.Query.TrimStart('?'))),
            HuaweiSignature.CanonicalHeaders(signedHeaders, name => [values[name]]), signedHeaders, HuaweiSignature.PayloadHash(body));
        var signature = HuaweiSignature.Compute(account.Secrets.FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)) ?? "", HuaweiSignature.StringToSign(sdkDate, canonical));
        account.Options.TryGetValue(HuaweiAdapter.AppKeyOption, out var appKey);
        request.Headers.Add(HuaweiSignature.DateHeader, sdkDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{HuaweiSignature.Algorithm} Access={appKey?.Trim()}, SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}");
    }

    private static HttpRequestMessage Form(string url, IEnumerable<KeyValuePair<string, string>> fields) => new(HttpMethod.Post, url)
    {
        Content = new FormUrlEncodedContent(fields),
    };
}
