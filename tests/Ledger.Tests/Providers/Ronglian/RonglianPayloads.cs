using System.Text;
using Alba;
using Ledger.Ingest;

namespace Ledger.Tests.Providers.Ronglian;

/// <summary>
/// Ronglian pushes shaped like the documented examples (README.md, Providers), with the
/// smsMessageSid unique per test.
/// </summary>
public static class RonglianPayloads
{
    public static string Json(string sid, string status = "0", string deliverCode = "DELIVRD", string recvTime = "20130923010010", string smsType = "1") =>
        $$$"""
        {"Request":{"action":"SMSArrived","smsType":"{{{smsType}}}","apiVersion":"2013-12-26","content":"{{{sid}}}","fromNum":"13912345678","dateSent":"20130923010000","deliverCode":"{{{deliverCode}}}","recvTime":"{{{recvTime}}}","status":"{{{status}}}","reqId":"123","smsCount":"2","spCode":"10690876"}}
        """;

    public static string XmlRequest(string sid, string status = "0", string deliverCode = "DELIVRD", string recvTime = "20130923010010", string smsType = "1") =>
        $"<Request><action>SMSArrived</action><smsType>{smsType}</smsType><recvTime>{recvTime}</recvTime><apiVersion>2013-12-26</apiVersion>"
        + $"<fromNum>13912345678</fromNum><appendCode>12345</appendCode><content>{sid}</content><status>{status}</status>"
        + $"<dateSent>20130923010000</dateSent><deliverCode>{deliverCode}</deliverCode><reqId>123</reqId><smsCount>2</smsCount></Request>";

    public static string Xml(string sid, string status = "0", string deliverCode = "DELIVRD", string recvTime = "20130923010010", string smsType = "1", string encoding = "UTF-8") =>
        $"""<?xml version="1.0" encoding="{encoding}"?>""" + "\n" + XmlRequest(sid, status, deliverCode, recvTime, smsType);

    public static Encoding Gb18030
    {
        get
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GB18030");
        }
    }

    public static RawCallback Request(string body, string? contentType = "application/json", string query = "") =>
        Request(Encoding.UTF8.GetBytes(body), contentType, query);

    public static RawCallback Request(byte[] body, string? contentType, string query = "") => new(
        Guid.NewGuid(),
        "POST",
        "http://localhost/callbacks/ronglian" + query,
        "/callbacks/ronglian",
        query,
        contentType is null ? [] : [new HeaderEntry("Content-Type", contentType)],
        body,
        "127.0.0.1",
        DateTimeOffset.Parse("2026-11-25T02:32:06Z"));

    /// <summary>Posts bytes as they are: the shared helper encodes text as UTF-8, which a GBK test must avoid.</summary>
    public static async Task<(int Status, string Body, string? ContentType)> PostBytesAsync(this IAlbaHost host, string url, byte[] body, string contentType)
    {
        var client = host.Server.CreateClient();
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await client.PostAsync(url, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }
}
