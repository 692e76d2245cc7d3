namespace Ledger.Tests.Pull.Fakes;

/// <summary>
/// The providers' own sample answers, as their documentation shows them, so reader and client tests
/// run on what the providers say they send.
/// </summary>
public static class DocumentedAnswers
{
    /// <summary>
    /// QuerySendDetails, "正常返回示例" (https://help.aliyun.com/document_detail/419277.html). The page body
    /// could not be read whole here, so this is assembled from the operation's documented example value of
    /// each field (the same values the generated SDK models carry: ErrCode DELIVERED, OutId 12131231,
    /// PhoneNum 1390000****, ReceiveDate 2019-01-08 16:44:13, SendStatus 3, RequestId 819BE656-…).
    /// </summary>
    public const string AliyunQuerySendDetails = """
        {
          "Code": "OK",
          "Message": "OK",
          "RequestId": "819BE656-D2E0-4858-8B21-B2E477085***",
          "TotalCount": 1,
          "SmsSendDetailDTOs": {
            "SmsSendDetailDTO": [
              {
                "ErrCode": "DELIVERED",
                "TemplateCode": "SMS_12231****",
                "OutId": "12131231",
                "ReceiveDate": "2019-01-08 16:44:13",
                "SendDate": "2019-01-08 16:44:10",
                "PhoneNum": "1390000****",
                "Content": "【阿里云】验证码为：123，您正在登录，若非本人操作，请勿泄露",
                "SendStatus": 3
              }
            ]
          }
        }
        """;

    /// <summary>An Alibaba RPC error body: `Code`, `Message`, `RequestId`, `HostId`, `Recommend`.</summary>
    public static string AliyunError(string code, string message) => $$"""
        {"RequestId":"8C7D2B6A-3F1E-4E0B-9C56-6A0A1F6C2D11","HostId":"dysmsapi.aliyuncs.com","Code":"{{code}}","Message":"{{message}}","Recommend":"https://api.aliyun.com/troubleshoot?q={{code}}&product=Dysmsapi"}
        """;

    /// <summary>
    /// PullSmsSendStatusByPhoneNumber 2021-01-11, "示例1 请求示例" output
    /// (https://www.tencentcloud.com/document/api/382/40518; the same example ships with tccli's docs).
    /// </summary>
    public const string TencentPullSmsSendStatusByPhoneNumber = """
        {
            "Response": {
                "PullSmsSendStatusSet": [
                    {
                        "Description": "DELIVRD",
                        "CountryCode": "86",
                        "SubscriberNumber": "15291996666",
                        "ReportStatus": "SUCCESS",
                        "PhoneNumber": "+8615291996666",
                        "SerialNo": "14:19325917feb3914eb78b50d6182d7e452e",
                        "UserReceiveTime": 1620734188
                    },
                    {
                        "Description": "DELIVRD",
                        "CountryCode": "86",
                        "SubscriberNumber": "15291996666",
                        "ReportStatus": "SUCCESS",
                        "PhoneNumber": "+8615291996666",
                        "SerialNo": "14:19325917feb3914eb78b50d6182d7e456f",
                        "UserReceiveTime": 1620734188
                    }
                ],
                "RequestId": "8979fc1e-9564-4fc9-bf7d-2958ce679b72"
            }
        }
        """;

    /// <summary>A TencentCloud API 3.0 error answer (HTTP 200, the error inside Response).</summary>
    public static string TencentError(string code, string message) => $$$"""
        {"Response":{"Error":{"Code":"{{{code}}}","Message":"{{{message}}}"},"RequestId":"2a4f1c3e-7d0b-4b8e-9a61-0c5d3e2f1a77"}}
        """;

    /// <summary>
    /// Fetch a Message resource, the documented response
    /// (https://www.twilio.com/docs/messaging/api/message-resource#fetch-a-message-resource).
    /// </summary>
    public const string TwilioMessage = """
        {
          "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "api_version": "2010-04-01",
          "body": "testing",
          "date_created": "Fri, 24 May 2019 17:18:27 +0000",
          "date_sent": "Fri, 24 May 2019 17:18:28 +0000",
          "date_updated": "Fri, 24 May 2019 17:18:28 +0000",
          "direction": "outbound-api",
          "error_code": 30007,
          "error_message": "Carrier violation",
          "from": "+12019235161",
          "messaging_service_sid": "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "num_media": "0",
          "num_segments": "1",
          "price": "-0.00750",
          "price_unit": "USD",
          "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "status": "sent",
          "subresource_uris": {
            "media": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMb7c0a2ce80504485a6f653a7110836f5/Media.json",
            "feedback": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMb7c0a2ce80504485a6f653a7110836f5/Feedback.json"
          },
          "to": "+18182008801",
          "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMb7c0a2ce80504485a6f653a7110836f5.json"
        }
        """;

    /// <summary>Twilio's REST error body (https://www.twilio.com/docs/errors/20003).</summary>
    public static string TwilioError(int code, string message, int status) => $$"""
        {"code":{{code}},"message":"{{message}}","more_info":"https://www.twilio.com/docs/errors/{{code}}","status":{{status}}}
        """;
}
