namespace Ledger.Tests.Providers.Aliyun;

/// <summary>
/// Reports in the receive_time / err_code shape: `receive_time`, `err_code` (`DELIVRD` = delivered),
/// `phone_number` and `biz_id`, with the optional `out_id` and `sms_size`. `receiveTime` is written into
/// the JSON as given, so a test can send a string (quoted) or a number.
/// </summary>
public static class AliyunArticlePayloads
{
    public static string Item(string bizId, string phone, string errCode = "DELIVRD", string receiveTime = "\"2026-11-25 10:32:05\"",
        string outId = "order-7", string smsSize = "2") =>
        $$"""
        {"phone_number":"{{phone}}","receive_time":{{receiveTime}},"err_code":"{{errCode}}","biz_id":"{{bizId}}","out_id":"{{outId}}","sms_size":"{{smsSize}}"}
        """;
}
