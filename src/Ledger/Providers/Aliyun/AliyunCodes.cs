using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Aliyun;

/// <summary>
/// Alibaba Cloud SmsReport codes. The domestic report's `err_code` is `DELIVERED` on success
/// (https://help.aliyun.com/zh/sms/developer-reference/smsreport-2) and otherwise mostly the carrier's own stat
/// (`MK:0001`, `UNDELIV`…), which <see cref="CarrierCodes"/> covers. Alibaba's receipt error-code page
/// (https://help.aliyun.com/en/sms/developer-reference/delivery-receipt-error-codes) could not be read here
/// beyond its introduction, so this table is thin: the success words, the international report's `Status`, and
/// the platform's `isv.*` codes, whose meanings are those of Alibaba's API error list
/// (https://www.alibabacloud.com/help/doc-detail/116206.htm). That a refused message's report carries an
/// `isv.*` code is inferred, not documented.
/// </summary>
public static class AliyunCodes
{
    public static readonly CodeTable Table = new("aliyun",
    [
        new("DELIVERED", Delivered, "用户接收成功"),
        // The legacy 阿里大于 alibaba_aliqin_FcSmsDR message used the CMPP word.
        new("DELIVRD", Delivered, "用户接收成功 (legacy FcSmsDR)"),
        // International SmsReport `Status` (https://help.aliyun.com/zh/sms/smsreport-http-intl): 1 成功, 2 失败, 6 失效.
        new("6", Expired, "international Status 6: 失效 (expired)"),

        new("isv.MOBILE_NUMBER_ILLEGAL", InvalidNumber, "手机号码格式错误 (malformed number)"),
        new("isv.BUSINESS_LIMIT_CONTROL", RateLimited, "触发业务流控限制 (per-number frequency limit)"),
        new("isv.BLACK_KEY_CONTROL_LIMIT", Blocked, "模板变量中存在黑名单关键字 (blacklisted keyword)"),
        new("isv.OUT_OF_SERVICE", CarrierRejected, "业务停机 (account suspended for balance)"),
        new("isv.AMOUNT_NOT_ENOUGH", CarrierRejected, "账户余额不足 (balance insufficient)"),
        new("isv.SMS_TEMPLATE_ILLEGAL", CarrierRejected, "模板不合法 (template not approved)"),
        new("isv.SMS_SIGNATURE_ILLEGAL", CarrierRejected, "签名不合法 (signature not approved)"),
        new("isv.PRODUCT_UN_SUBSCRIPT", CarrierRejected, "未开通云通信产品 (SMS not activated)"),
        new("isp.SYSTEM_ERROR", Unknown, "系统错误 (platform error)"),

        // International error codes (https://help.aliyun.com/en/sms/developer-reference/error-codes).
        new("MOBILE_NUMBER_ILLEGAL", InvalidNumber, "The format of the phone number is invalid"),
        new("QPS_LIMIT_CONTROL", RateLimited, "The account's QPS limit was reached"),
        new("SMS_SECURITY_INTERCEPTED", Blocked, "国际短信风控策略拦截 (risk control)"),
        new("SMS_CONTENT_ILLEGAL", Blocked, "短信内容不合法 (content not allowed)"),
        new("BLACK_KEY_CONTROL_LIMIT", Blocked, "模板变量中存在黑名单关键字 (blacklisted keyword)"),
        new("NOT_SUPPORTED_COUNTRY", CarrierRejected, "暂不支持该国家的国际短信发送 (country not supported)"),
        new("INVALID_SENDERID", CarrierRejected, "The sender ID is invalid or unapproved"),
    ]);
}
