using System.Security.Cryptography;
using System.Text;
using Alba;
using Ledger.Ingest;

namespace Ledger.Tests.Providers.Vonage;

/// <summary>Vonage-shaped receipts for the tests, signed by code written here, not by the adapter's.</summary>
public static class VonageRequests
{
    /// <summary>The fields of Vonage's documented DLR example, with the message id of the test.</summary>
    public static List<KeyValuePair<string, string>> Receipt(string messageId, string status = "delivered", string errCode = "0") =>
    [
        new("err-code", errCode),
        new("message-timestamp", "2026-11-25 10:32:05"),
        new("messageId", messageId),
        new("msisdn", "447547232824"),
        new("network-code", "23410"),
        new("price", "0.03330000"),
        new("scts", "2611251132"),
        new("status", status),
        new("to", "Nexmo CLI"),
    ];

    public static string NewId() => "0B" + Guid.NewGuid().ToString("N")[..14].ToUpperInvariant();

    /// <summary>
    /// Adds `timestamp`, `nonce` and `sig` as Vonage does: `&amp;name=value` for every parameter sorted by
    /// name, `&amp;`/`=` in values as `_`; md5hash = MD5(text + secret), else HMAC-{method}(secret, text); lowercase hex.
    /// </summary>
    public static List<KeyValuePair<string, string>> Signed(List<KeyValuePair<string, string>> parameters, string secret,
        DateTimeOffset? at = null, string method = "md5hash")
    {
        var all = new List<KeyValuePair<string, string>>(parameters)
        {
            new("timestamp", (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("nonce", Guid.NewGuid().ToString()),
        };
        var text = string.Concat(all.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => "&" + p.Key + "=" + p.Value.Replace("&", "_").Replace("=", "_")));
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.UTF8.GetBytes(text);
        var hash = method switch
        {
            "md5hash" => MD5.HashData(Encoding.UTF8.GetBytes(text + secret)),
            "sha256" => HMACSHA256.HashData(key, data),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
        all.Add(new("sig", Convert.ToHexStringLower(hash)));
        return all;
    }

    public static string Encoded(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    public static string Json(IEnumerable<KeyValuePair<string, string>> parameters) =>
        System.Text.Json.JsonSerializer.Serialize(parameters.ToDictionary(p => p.Key, p => p.Value));

    public static async Task<(int Status, string Body)> GetAsync(this IAlbaHost host, string pathAndQuery)
    {
        var client = host.Server.CreateClient();
        using var response = await client.GetAsync(pathAndQuery);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(int Status, string Body)> PostBodyAsync(this IAlbaHost host, string path, string body, string contentType)
    {
        var client = host.Server.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await client.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A request as the adapter sees it, for the pure tests.</summary>
    public static RawCallback Raw(string method, string query, string body = "", string? contentType = null)
    {
        var headers = contentType is null ? new List<HeaderEntry>() : [new HeaderEntry("Content-Type", contentType)];
        var queryString = query.Length == 0 ? "" : "?" + query;
        return new RawCallback(Guid.NewGuid(), method, "http://localhost/callbacks/vonage" + queryString, "/callbacks/vonage", queryString,
            headers, Encoding.UTF8.GetBytes(body), "127.0.0.1", DateTimeOffset.UtcNow);
    }
}
