using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Tencent;

/// <summary>
/// Tencent Cloud SMS `errmsg` values of a status callback (回执状态错误码, https://cloud.tencent.com/document/product/382/3771;
/// API 3.0 page: https://cloud.tencent.com/document/api/382/59177). `errmsg` mostly carries the carrier's own stat
/// (`DELIVRD`, `MK:0001`…), which <see cref="CarrierCodes"/> covers; this table holds Tencent's own codes.
/// Still thin: both copies of the page that could be searched (the 回执状态错误码 table of product/382/3771, and
/// the API 3.0 error-code page) break off after the rows `-106` and `002`. The 1001-1048 codes on the same page
/// are send-API errors, answered to the send request and never in a status report, so they are not here.
/// Everything else falls through to the carrier table and then to unknown.
/// `report_status` (`SUCCESS`/`FAIL`) names no cause, and the pull API's `Description` is free text.
/// </summary>
public static class TencentCodes
{
    public static readonly CodeTable Table = new("tencent",
    [
        new("DELIVRD", Delivered, "用户短信送达成功"),
        new("-106", Blocked, "三网: 运营商关键字拦截 (carrier keyword block)"),
        // Three of the four causes are temporary; 停机 is not, but the code does not say which one it was.
        new("002", Unreachable, "三网: 关机/停机/无法接通手机/不在服务区"),
    ]);
}
