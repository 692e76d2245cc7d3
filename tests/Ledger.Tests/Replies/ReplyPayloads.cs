using System.Text.Json;
using Alba;
using Ledger.Tests.Providers.Baidu;
using Ledger.Tests.Providers.Twilio;
using Ledger.Tests.Providers.Vonage;
using Ledger.Tests.Support;

namespace Ledger.Tests.Replies;

/// <summary>
/// Each provider's documented reply (上行 / MO) shape, from its own page's example with the test's phone
/// and text, signed where the provider signs (by the tests' own signers, not the adapters').
/// </summary>
public static class ReplyPayloads
{
    /// <summary>A mainland mobile number no other test uses.</summary>
    public static string NewPhone() => "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Alibaba SmsUp (help.aliyun.com/zh/sms/developer-reference/smsup-http): a JSON array.</summary>
    public static string AliyunSmsUp(string phone, string content, string sequenceId, string sendTime = "2026-11-25 10:40:00") =>
        $$"""[{"phone_number":"{{phone}}","send_time":"{{sendTime}}","content":{{JsonSerializer.Serialize(content)}},"sign_name":"阿里云","dest_code":"1234","sequence_id":{{sequenceId}}}]""";

    /// <summary>Tencent's reply callback: one object, time in UNIX seconds.</summary>
    public static string TencentReply(string phone, string text, long time = 1764038400) =>
        $$"""{"extend":"","mobile":"{{phone}}","nationcode":"86","sign":"腾讯云","text":{{JsonSerializer.Serialize(text)}},"time":{{time}}}""";

    /// <summary>Huawei's upstream notification: a form.</summary>
    public static string HuaweiUpstream(string smsMsgId, string phone, string body) =>
        $"smsMsgId={smsMsgId}&from=%2B86{phone}&to=106900001234&body={Uri.EscapeDataString(body)}&createTime=2026-11-25T02%3A40%3A00Z";

    /// <summary>Baidu's upstream push (cloud.baidu.com/doc/SMS/s/Tkijya6ed).</summary>
    public static string BaiduUpstream(string phone, string content) =>
        $$"""{"mobile":"{{phone}}","content":{{JsonSerializer.Serialize(content)}},"sign":"百度云","receiveTime":"2026-11-25T02:40:00Z"}""";

    /// <summary>A Ronglian MO push: the SMSArrived envelope with smsType 0.</summary>
    public static string RonglianMo(string phone, string content) =>
        $$$"""{"Request":{"action":"SMSArrived","smsType":"0","apiVersion":"2013-12-26","content":{{{JsonSerializer.Serialize(content)}}},"fromNum":"{{{phone}}}","recvTime":"20261125104000","spCode":"10690876","appendCode":"01"}}""";

    /// <summary>Twilio's incoming-message webhook parameters.</summary>
    public static List<KeyValuePair<string, string>> TwilioIncoming(string messageSid, string phone, string body, string? repliedTo = null)
    {
        var p = new List<KeyValuePair<string, string>>
        {
            new("ToCountry", "US"), new("SmsMessageSid", messageSid), new("NumMedia", "0"), new("SmsSid", messageSid),
            new("SmsStatus", "received"), new("Body", body), new("To", "+14155550100"), new("NumSegments", "1"),
            new("MessageSid", messageSid), new("AccountSid", "AC00000000000000000000000000000000"), new("From", phone), new("ApiVersion", "2010-04-01"),
        };
        if (repliedTo is not null)
        {
            p.Add(new("OriginalRepliedMessageSid", repliedTo));
        }

        return p;
    }

    /// <summary>Vonage's inbound SMS (developer.vonage.com/messaging/sms/guides/inbound-sms).</summary>
    public static List<KeyValuePair<string, string>> VonageInbound(string messageId, string phone, string text) =>
    [
        new("msisdn", phone), new("to", "447700900000"), new("messageId", messageId), new("text", text), new("type", "text"),
        new("keyword", text.Split(' ')[0].ToUpperInvariant()), new("message-timestamp", "2026-11-25 02:40:00"),
    ];

    public static async Task<(int Status, string Body, string? ContentType)> PostTwilioReplyAsync(this IAlbaHost host, List<KeyValuePair<string, string>> parameters)
    {
        const string url = "http://localhost/callbacks/twilio/replies";
        return await host.PostFormAsync(url, TwilioRequests.FormBody(parameters), [new("X-Twilio-Signature", TwilioRequests.Sign("new-token", url, parameters))]);
    }

    public static Task<(int Status, string Body)> PostVonageReplyAsync(this IAlbaHost host, List<KeyValuePair<string, string>> parameters) =>
        host.PostBodyAsync("/callbacks/vonage/replies/signed", VonageRequests.Encoded(VonageRequests.Signed(parameters, "new-signature-secret")),
            "application/x-www-form-urlencoded");

    public static Task<(int Status, string Body)> PostBaiduReplyAsync(this IAlbaHost host, string body)
    {
        var timestamp = BaiduRequests.Millis(DateTimeOffset.UtcNow);
        return host.PostBaiduAsync("/callbacks/baidu/replies", body, timestamp, BaiduRequests.Sign("new-token", timestamp, body));
    }

    /// <summary>The one reply `GET /replies?phone=` finds for the number (support's view, masked).</summary>
    public static async Task<JsonElement> OnlyReplyOf(this IAlbaHost host, string phone, string? apiKey = LedgerApi.SupportKey)
    {
        var (status, json) = await host.GetJsonAsync($"/replies?phone={Uri.EscapeDataString(phone)}", apiKey);
        status.ShouldBe(200);
        return json.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
    }
}
