using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Baidu;

/// <summary>
/// Baidu Cloud SMS `carrierCode` values ("运营商原生状态码", https://cloud.baidu.com/doc/SMS/s/Fkijy9cdv), as listed in
/// 短信发送状态回执码 (https://cloud.baidu.com/doc/SMS/s/Dkho9df2a). The `code` field itself only says 0 sent / 2
/// failed, so the carrier code is the one that names a cause. Baidu's `B:` codes are its own platform's; its
/// carriers' codes (`MK:0001`…) fall through to <see cref="CarrierCodes"/>. The list was read up to B:00036 and
/// a few China Telecom `T:` rows; the rest stays unknown.
/// </summary>
public static class BaiduCodes
{
    public static readonly CodeTable Table = new("baidu",
    [
        new("B:00003", CarrierRejected, "不支持URL (URLs not allowed in the content)"),
        new("B:00006", CarrierRejected, "产品未开通 (product not activated)"),
        new("B:00007", CarrierRejected, "短信模版不合法 (template not valid)"),
        new("B:00008", CarrierRejected, "短信签名不合法 (signature not valid)"),
        new("B:00009", CarrierRejected, "短信签名未设置或设置错误"),
        new("B:00010", InvalidNumber, "非法手机号 (invalid number)"),
        new("B:00011", Blocked, "关键字拦截 (keyword block)"),
        new("B:00012", Blocked, "黑名单管控 (blacklist)"),
        new("B:00013", Blocked, "模版变量里包含非法关键字 (keyword in a variable)"),
        new("B:00017", Unknown, "系统错误 (platform error)"),
        new("B:00018", CarrierRejected, "业务停机 (service suspended)"),
        new("B:00019", RateLimited, "业务限流 (rate limit)"),
        new("B:00027", RateLimited, "流量控制错 (flow control)"),
        new("B:00028", Unknown, "响应超时 (response timeout)"),
        new("B:00029", Blocked, "屏蔽字 (blocked word)"),
        new("B:00030", Blocked, "非法url (URL not allowed)"),
        new("B:00033", Blocked, "命中全局黑名单 (global blacklist)"),
        new("B:00034", Blocked, "命中签名黑名单 (signature blacklist)"),
        new("B:00035", Blocked, "命中账号黑名单 (account blacklist)"),
        new("B:00036", Blocked, "命中工信部投诉… (MIIT complaint list)"),
        new("T:00068", CarrierRejected, "电信: 反向退订无权限"),
        new("T:00069", CarrierRejected, "电信: 非法SP服务代码"),
        new("T:00070", CarrierRejected, "电信: 非法SP接入类型"),
    ]);
}
