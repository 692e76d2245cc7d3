using static Ledger.Events.FailureCategory;

namespace Ledger.Providers;

/// <summary>
/// The codes carriers put in a status report's `stat` field: the seven SMPP/CMPP words, and the vendor codes
/// Chinese gateways put in their place (`MK:0001`, `MI:0024`, `DB:0101`…). Alibaba, Tencent, Huawei, Baidu,
/// Ronglian and generic gateways pass them through unchanged, so every one of those routes falls back to this
/// table after its own. No carrier publishes one authoritative list: the entries below come from the pages
/// named above each group, and a vendor code not listed stays unknown. A family prefix (`MK:`, `MN:`) is
/// never mapped as a whole, because the same family mixes empty numbers, powered-off handsets and content
/// blocks, which call for opposite actions.
/// </summary>
public static class CarrierCodes
{
    public static readonly CodeTable Table = new("carrier",
    [
        // The SMPP 3.4 receipt states (https://developers.sinch.com/docs/sms/smpp/error-codes.md,
        // https://developer.8x8.com/connect/docs/smpp-delivery-receipts), with the CMPP gateways' readings
        // (China Mobile gateway status list, https://www.cnblogs.com/da-guang/p/5880631.html).
        new("DELIVRD", Delivered, "delivered to the handset"),
        new("EXPIRED", Expired, "validity period expired: handset off or out of coverage for a long time (超时)"),
        // Deleted: cancelled, or moved between gateways. Nothing says why.
        new("DELETED", Unknown, "deleted"),
        // 全球通用户因为状态不正确如处于停机、挂起等状态: suspended mostly, but gateways also use it for powered-off
        // handsets, so neither invalid_number nor unreachable can be claimed.
        new("UNDELIV", Unknown, "undeliverable (停机、挂起… 不可及)"),
        new("ACCEPTD", Unknown, "accepted; not a final outcome"),
        new("ENROUTE", Unknown, "in transit; not a final outcome"),
        new("UNKNOWN", Unknown, "state invalid or unknown"),
        new("REJECTD", CarrierRejected, "rejected by the SMSC or carrier (不同的网关具有不同的错误原因)"),

        // Further stat words of the CMPP gateways (https://cnblogs.com/yhdkzy/p/4238029.html, third-party list).
        new("TIMEOUT", Unknown, "超时"),
        new("NOROUTE", CarrierRejected, "查找路由失败 (no route)"),
        new("NOROUTER", CarrierRejected, "无通道 (no channel)"),
        new("MBBLACK", Blocked, "本地黑名单 (local blacklist)"),
        new("DBBLACK", Blocked, "网关黑名单 (gateway blacklist)"),

        // China Mobile vendor codes (https://www.cnblogs.com/da-guang/p/5880631.html,
        // https://cnblogs.com/yhdkzy/p/4238029.html; third-party lists, the only published ones).
        new("MK:0000", Unknown, "广西屏蔽(也有可能是空号): regional block or empty number"),
        new("MK:0001", InvalidNumber, "不存在的用户 (unknown subscriber)"),
        new("MK:0005", InvalidNumber, "停机 (suspended)"),
        new("MK:0013", InvalidNumber, "停机 (suspended)"),
        new("MK:0010", Unreachable, "用户关机或不在服务区里,超出短信最大保存时间"),
        new("MK:0023", Unreachable, "用户关机 (powered off)"),
        new("MK:0115", Blocked, "垃圾短信被拦截 (spam filter)"),
        new("MK:1041", RateLimited, "主叫用户提交的短消息数超过此用户的最大提交数"),
        new("MN:0001", Unknown, "广西屏蔽(吉林屏蔽…): regional block"),
        new("CB:0001", InvalidNumber, "号码无效或者空号"),
        new("CB:0053", InvalidNumber, "梦网用户不存在,号码无效或者空号"),
        new("DB:0101", InvalidNumber, "手机号码错误,号码无效或者空号"),
        new("DB:0102", InvalidNumber, "用户停机 (suspended)"),
        new("DB:0142", RateLimited, "超过日最大发送MT数量 (daily MT cap)"),
        new("DB:0144", Blocked, "网关黑名单 (gateway blacklist)"),
        new("DB:9007", RateLimited, "业务网关超过限制的流量 (flow control)"),
        new("IB:0008", RateLimited, "流量控制错 (flow control)"),
        new("CMPPERR:8", RateLimited, "流量控制错 (flow control)"),
        new("NP:1243", Unknown, "用户转网至联通 (number ported)"),

        // Carrier codes as Huawei Cloud documents them for its customers
        // (https://support.huaweicloud.com/api-msgsms/sms_05_0051.html, 状态回执错误码(国内短信)).
        new("MK:1004", Blocked, "关键字拦截: content hit a review keyword"),
        new("2:12", Unknown, "号码状态异常: 空号、关机或停机等"),
        new("2:24", Unknown, "号码状态异常: 关机、停机、屏蔽短信业务"),
        new("2:70", Blocked, "网关黑名单: 投诉或退订"),
        new("SMGPERR:52", InvalidNumber, "非注册用户: prepaid number not registered (China Telecom)"),

        // China Mobile MI codes as Huawei documents them (https://support.huaweicloud.com/devg-iotcom/iotcom_04_0303.html).
        new("MI:0024", Unreachable, "用户手机关机 (powered off)"),
        new("MI:0042", Unreachable, "关机 (powered off)"),
        new("MI:0076", Unreachable, "关机 (powered off)"),
        new("MI:0082", Unreachable, "关机 (powered off)"),
        new("MI:0054", Unknown, "空号、停机或关机: mixes permanent and temporary causes"),
        new("MI:0059", Unknown, "空号、停机或关机: mixes permanent and temporary causes"),
        new("MI:0073", InvalidNumber, "空号 (empty number)"),
        new("MI:0210", InvalidNumber, "空号 (empty number)"),
        new("MI:0061", RateLimited, "网关流控 (gateway flow control)"),
        new("MI:0062", RateLimited, "网关流控 (gateway flow control)"),
        new("MI:0079", RateLimited, "超过下发限制 (sending limit)"),
        new("MI:0033", CarrierRejected, "没有路由信息 (no routing information)"),
    ]);
}
