using System.Text;

namespace Ledger.Bench;

public static class Payloads
{
    public static string Tencent(string prefix, int count)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            var sid = count == 1 ? prefix : $"{prefix}-{i}";
            sb.Append($$"""{"user_receive_time":"2026-11-25 10:32:04","nationcode":"86","mobile":"138{{i:D8}}","report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"{{sid}}","ext":""}""");
        }

        return sb.Append(']').ToString();
    }

    public static string TencentFixed(string sid) => Tencent(sid, 1);

    /// <summary>A Twilio status callback (form), as Twilio posts it; <see cref="Twilio.Sign"/> signs it.</summary>
    public static string TwilioStatus(string sid) =>
        $"ApiVersion=2010-04-01&AccountSid=AC00000000000000000000000000000000&From=%2B15017122661&To=%2B14155550100&MessageSid=SM{sid}&SmsSid=SM{sid}&MessageStatus=delivered&SmsStatus=delivered&RawDlrDoneDate=2611251032";

    public static string Aliyun(string bizId, int count, string reportTime = "2026-11-25 10:32:05")
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"phone_number":"139{{i:D8}}","send_time":"2026-11-25 10:32:00","report_time":"{{reportTime}}","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"{{bizId}}","out_id":"o{{i}}"}""");
        }

        return sb.Append(']').ToString();
    }
}

/// <summary>
/// The bench's Twilio account (configured on the service it starts): requests to /callbacks/twilio are
/// signed the way Twilio signs them, so the scenario pays for verification like production does.
/// </summary>
public static class Twilio
{
    public const string AuthToken = "bench-twilio-auth-token";
    public const string PublicBaseUrl = "https://ledger.bench.invalid";

    /// <summary>Base64 HMAC-SHA1 over the public URL followed by every parameter's name and value, sorted by name.</summary>
    public static string Sign(string path, string formBody)
    {
        var text = new StringBuilder(PublicBaseUrl + path);
        foreach (var (name, value) in formBody.Split('&')
                     .Select(p => p.Split('=', 2))
                     .Select(kv => (Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv[1].Replace('+', ' '))))
                     .OrderBy(kv => kv.Item1, StringComparer.Ordinal))
        {
            text.Append(name).Append(value);
        }

        using var hmac = new System.Security.Cryptography.HMACSHA1(Encoding.UTF8.GetBytes(AuthToken));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
