namespace Ledger.Tests.Support;

/// <summary>Provider payloads shaped like the providers' documented examples, with ids unique per test.</summary>
public static class Payloads
{
    public static string NewId() => Guid.NewGuid().ToString("N")[..16];

    public static string AliyunItem(string bizId, string phone, bool success, string reportTime = "2026-11-25 10:32:05",
        string? errCode = null, string outId = "order-1", string smsSize = "1") =>
        $$"""
        {"phone_number":"{{phone}}","send_time":"2026-11-25 10:32:00","report_time":"{{reportTime}}","success":{{(success ? "true" : "false")}},"err_code":"{{errCode ?? (success ? "DELIVERED" : "UNDELIV")}}","err_msg":"{{(success ? "用户接收成功" : "用户接收失败")}}","sms_size":"{{smsSize}}","biz_id":"{{bizId}}","out_id":"{{outId}}"}
        """;

    public static string Array(params string[] items) => "[" + string.Join(",", items) + "]";

    public static string TencentItem(string sid, string reportStatus, string receiveTime = "2026-11-25 10:32:04", string errmsg = "DELIVRD", string ext = "") =>
        $$"""
        {"user_receive_time":"{{receiveTime}}","nationcode":"86","mobile":"13800138000","report_status":"{{reportStatus}}","errmsg":"{{errmsg}}","description":"用户短信送达成功","sid":"{{sid}}","ext":"{{ext}}"}
        """;
}
