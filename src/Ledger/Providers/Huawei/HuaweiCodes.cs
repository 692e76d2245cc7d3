using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Huawei;

/// <summary>
/// Huawei Cloud MSGSMS `status` values: the final states, the supplier platform's own codes and the Huawei
/// platform's codes, as documented in 状态回执错误码(国内短信)
/// (https://support.huaweicloud.com/api-msgsms/sms_05_0051.html; English:
/// https://support.huaweicloud.com/intl/en-us/api-msgsms/sms_05_0051.html). The carrier codes the same page
/// lists (`MK:1004`, `2:24`…) are in <see cref="CarrierCodes"/>, which this route consults next.
/// </summary>
public static class HuaweiCodes
{
    public static readonly CodeTable Table = new("huawei",
    [
        // The final states of table "Status常见取值" (sms_05_0003) with the causes sms_05_0051 gives.
        new("DELIVRD", Delivered, "用户已成功收到短信"),
        new("EXPIRED", Expired, "短信已超时: phone off for a long time or out of the service area, or no report within 72 hours"),
        new("DELETED", Unknown, "短信已删除 (causes: N/A)"),
        // "The phone number is a dead number, the subscriber is suspended…" but also powered off and other
        // causes: the documented causes mix permanent and temporary ones.
        new("UNDELIV", Unknown, "短信递送失败"),
        new("ACCEPTD", Unknown, "短信已接收: temporary state"),
        new("UNKNOWN", Unknown, "短信状态未知"),
        new("REJECTD", CarrierRejected, "短信被拒绝: e.g. the recipient unsubscribed from this channel, or SMS is not enabled on the number"),

        // 供应商平台 (supplier platform) codes.
        new("MILIMIT", RateLimited, "达到分钟下发限制: too many messages to this number within a minute; wait a minute"),
        new("LIMIT", RateLimited, "号码达到下发限制: the day's limit for this number; wait until tomorrow"),
        new("BEYONDN", RateLimited, "号码达到下发限制: the day's limit for this number; wait until tomorrow"),
        new("CTLIMIT", RateLimited, "号码达到下发限制: the limit for this number is reached"),
        new("KEYWORD", Blocked, "短信关键字拦截: the content contains a sensitive keyword"),
        new("BLACK", Blocked, "号码黑名单: the number unsubscribed or complained to the MIIT"),
        new("TDBLACK", Blocked, "号码黑名单: the number unsubscribed or complained to the MIIT"),
        new("TSBLACK", Blocked, "号码黑名单: the number unsubscribed or complained to the MIIT"),
        new("MBBLACK", Blocked, "号码黑名单: the number unsubscribed or complained to the MIIT"),

        // 华为平台 (Huawei platform) codes: the message never left Huawei, so none of them is the recipient's doing.
        new("E200018", CarrierRejected, "国内短信发送方通道校验失败: the `from` channel number does not belong to the application"),
        new("E200024", CarrierRejected, "没有国际短信能力: international SMS is not enabled"),
        new("E200025", CarrierRejected, "国际短信接收方通道校验失败: the recipient is outside the channel's range"),
        new("E200026", CarrierRejected, "国际短信接收方匹配通道失败"),
        new("E200027", CarrierRejected, "匹配网关失败: no gateway configured for the application"),
        new("E200032", CarrierRejected, "短信需要模板: the request carried no template"),
        new("E200038", Unknown, "接收长短信超时: the parts of a long message did not all arrive within 3 minutes"),
        new("E200051", CarrierRejected, "国际短信验证码内容不合法: OTP content format not accepted"),
        new("E000628", CarrierRejected, "华为平台审核拦截: the recipient's country is not in the whitelist"),
        new("E000629", CarrierRejected, "华为平台审核拦截: the package is used up (用尽即停)"),
        new("SC:0013", Blocked, "签名黑名单拦截: signature blacklisted"),
        new("SC:0014", CarrierRejected, "免审核模板匹配失败"),
        new("SC:0015", Blocked, "拦截模板匹配: the content matched a blocked template (sensitive words)"),
        new("SC:0016", Blocked, "退订黑名单拦截: the recipient unsubscribed"),
        new("SC:0017", CarrierRejected, "非报备模板拦截: template not filed"),
        new("SC:0018", CarrierRejected, "非报备签名拦截: signature not filed"),
    ]);
}
