namespace Ledger.Tests.Providers.Aliyun;

/// <summary>The international SmsReport's documented example (https://alibabacloud.com/help/tc/sms/developer-reference/sms-webhook-1).</summary>
public static class AliyunInternationalPayloads
{
    public static string Item(string messageId, string status = "1", string receiveDate = "Thu, 25 Nov 2021 10:25:33 +0800",
        string errorCode = "success", string to = "8521111****", string taskId = "67890", string smsSize = "2") =>
        $$"""
        {"To":"{{to}}","SendDate":"Thu, 25 Nov 2021 10:25:00 +0800","ReceiveDate":"{{receiveDate}}","Status":"{{status}}","ErrorCode":"{{errorCode}}","ErrorDescription":"{{errorCode}}","TaskId":"{{taskId}}","SmsSize":"{{smsSize}}","MessageId":"{{messageId}}"}
        """;
}
