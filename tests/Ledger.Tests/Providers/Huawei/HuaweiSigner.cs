using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Alba;

namespace Ledger.Tests.Providers.Huawei;

/// <summary>
/// What a Huawei AK/SK signer does on its side, written from Huawei's description of the algorithm
/// (https://support.huaweicloud.com/devg-apisign/api-sign-algorithm-002.html and the pages after it),
/// not from the adapter's code, so that a test proves the two agree.
/// </summary>
public static class HuaweiSigner
{
    /// <summary>The app key and secrets of the `signed` account in Accounts/huawei.json.</summary>
    public const string AppKey = "ledger-app-key";
    public const string OldSecret = "old-app-secret";
    public const string NewSecret = "new-app-secret";

    public static string SdkDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The `Authorization` value for a request. <paramref name="headers"/> are the headers to sign,
    /// as sent (any case); <paramref name="query"/> the decoded query parameters.
    /// </summary>
    public static string Authorization(string appKey, string appSecret, string method, string path,
        IEnumerable<(string Name, string Value)> query, IEnumerable<(string Name, string Value)> headers, byte[] body, string sdkDate)
    {
        // 1. Canonical request: every path segment URI-encoded, a trailing slash; the query sorted and
        //    encoded; lower-cased header names with trimmed values, sorted; the signed header names; the body hash.
        var uri = string.Join("/", path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));
        if (!uri.EndsWith('/'))
        {
            uri += "/";
        }

        var sortedQuery = query.OrderBy(q => q.Name, StringComparer.Ordinal).ThenBy(q => q.Value, StringComparer.Ordinal)
            .Select(q => Uri.EscapeDataString(q.Name) + "=" + Uri.EscapeDataString(q.Value));
        var signed = headers.Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim())).OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var signedHeaders = string.Join(";", signed.Select(h => h.Name));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(uri).Append('\n')
            .Append(string.Join("&", sortedQuery)).Append('\n');
        foreach (var (name, value) in signed)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(SHA256.HashData(body)));

        // 2. String to sign; 3. signature; 4. the header.
        var stringToSign = $"SDK-HMAC-SHA256\n{sdkDate}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var signature = Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), Encoding.UTF8.GetBytes(stringToSign)));
        return $"SDK-HMAC-SHA256 Access={appKey}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    private static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>
    /// A form report POSTed through the real pipeline, signed over Content-Type, Host and X-Sdk-Date as
    /// Huawei's SDKs do. The test host is called as http://localhost.
    /// </summary>
    public static async Task<(int Status, string Body)> PostSignedAsync(this IAlbaHost host, string path, string body, DateTimeOffset signedAt,
        string appKey = AppKey, string secret = NewSecret, Func<string, string>? tamper = null, bool withAuthorization = true, bool withDate = true)
    {
        var sdkDate = SdkDate(signedAt);
        var bytes = Encoding.UTF8.GetBytes(body);
        var authorization = Authorization(appKey, secret, "POST", path, [],
            [("Content-Type", HuaweiRequests.Form), ("Host", "localhost"), ("X-Sdk-Date", sdkDate)], bytes, sdkDate);

        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(tamper?.Invoke(body) ?? body));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", HuaweiRequests.Form);
        if (withDate)
        {
            request.Headers.TryAddWithoutValidation("X-Sdk-Date", sdkDate);
        }

        if (withAuthorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
