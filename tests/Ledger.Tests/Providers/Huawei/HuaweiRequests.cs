using System.Text;
using Ledger.Ingest;

namespace Ledger.Tests.Providers.Huawei;

/// <summary>Huawei pushes shaped like the documented examples (sms_05_0003 / sms_05_0063).</summary>
public static class HuaweiRequests
{
    public const string Form = "application/x-www-form-urlencoded";

    /// <summary>The single-report example body, with the colons of updateTime percent-encoded as Huawei sends them.</summary>
    public static string SingleForm(string smsMsgId, string status = "DELIVRD", string updateTime = "2018-04-13T06%3A31%3A46Z",
        string total = "1", string sequence = "1", string? extend = null, string? to = null)
    {
        var body = $"sequence={sequence}&total={total}&orgCode=000&updateTime={updateTime}&source=2&smsMsgId={smsMsgId}&status={status}";
        if (extend is not null)
        {
            body += $"&extend={Uri.EscapeDataString(extend)}";
        }

        if (to is not null)
        {
            body += $"&to={Uri.EscapeDataString(to)}";
        }

        return body;
    }

    public static string BatchItem(string smsMsgId, string status, string updateTime = "2018-04-13T06:31:46Z", string total = "1", string sequence = "1") =>
        $$"""{"smsMsgId":"{{smsMsgId}}","total":"{{total}}","sequence":"{{sequence}}","status":"{{status}}","statusDesc":"","source":"2","updateTime":"{{updateTime}}","orgCode":"000"}""";

    public static string Batch(params string[] items) => $$"""{"statusReportList":[{{string.Join(",", items)}}]}""";

    public static RawCallback Raw(string body, string contentType, string query = "", string? remoteAddress = "203.0.113.9") => new(
        Guid.NewGuid(), "POST", "https://ledger.example/callbacks/huawei" + query, "/callbacks/huawei", query,
        [new HeaderEntry("Content-Type", contentType)], Encoding.UTF8.GetBytes(body), remoteAddress, DateTimeOffset.UtcNow);
}
