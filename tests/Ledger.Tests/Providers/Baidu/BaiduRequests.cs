using System.Security.Cryptography;
using System.Text;
using Alba;
using Ledger.Ingest;

namespace Ledger.Tests.Providers.Baidu;

/// <summary>Baidu pushes shaped like the documented example (https://cloud.baidu.com/doc/SMS/s/Fkijy9cdv), signed here by hand.</summary>
public static class BaiduRequests
{
    public const string ContentType = "application/json;charset=utf-8";

    /// <param name="deliverTimeJson">The deliverTime value as a JSON token, verbatim (e.g. a bare number); overrides <paramref name="deliverTime"/>.</param>
    public static string Report(string messageId, string code = "0", string carrierCode = "DELIVRD", string deliverTime = "2020-08-13T12:13:30Z",
        string segmentCount = "1", string custom = "order-7", string? deliverTimeJson = null) =>
        $$"""{"code":"{{code}}","requestId":"71bdbef0ac8847378da21ecb142a14e7","messageId":"{{messageId}}","mobile":"13800138000","carrierCode":"{{carrierCode}}","custom":"{{custom}}","attemptCount":1,"segmentCount":{{segmentCount}},"deliverTime":{{deliverTimeJson ?? $"\"{deliverTime}\""}},"requestTime":"2020-08-13T12:13:28Z"}""";

    /// <summary>md5(token + timestamp + body) as lowercase hex, written independently of the adapter's code.</summary>
    public static string Sign(string token, string timestamp, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(token).Concat(Encoding.UTF8.GetBytes(timestamp)).Concat(Encoding.UTF8.GetBytes(body)).ToArray();
        return string.Concat(MD5.HashData(bytes).Select(b => b.ToString("x2")));
    }

    public static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<HeaderEntry> Headers(string? timestamp, string? signature)
    {
        var headers = new List<HeaderEntry> { new("Content-Type", ContentType), new("requestId", Guid.NewGuid().ToString("N")) };
        if (timestamp is not null)
        {
            headers.Add(new("timestamp", timestamp));
        }

        if (signature is not null)
        {
            headers.Add(new("signature", signature));
        }

        return headers;
    }

    public static RawCallback Raw(string body, string? timestamp, string? signature, DateTimeOffset receivedAt) => new(
        Guid.NewGuid(), "POST", "https://ledger.example/callbacks/baidu", "/callbacks/baidu", "",
        Headers(timestamp, signature), Encoding.UTF8.GetBytes(body), "198.51.100.7", receivedAt);

    /// <summary>A POST with Baidu's headers through the real pipeline.</summary>
    public static async Task<(int Status, string Body)> PostBaiduAsync(this IAlbaHost host, string url, string body, string? timestamp, string? signature)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        foreach (var header in Headers(timestamp, signature).Where(h => h.Name != "Content-Type"))
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
