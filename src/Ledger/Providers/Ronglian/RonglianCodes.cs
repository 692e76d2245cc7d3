using static Ledger.Events.FailureCategory;

namespace Ledger.Providers.Ronglian;

/// <summary>
/// Ronglian (容联云通讯) SMSArrived `deliverCode` values. Ronglian's push document was not found
/// (the REST platform page http://doc.yuntongxun.com/p/5a533de33b8496dd00dce07c covers sending only), and the
/// examples that were found show `deliverCode` carrying the carrier's raw stat (`DELIVRD`). So this table holds
/// nothing of Ronglian's own and every failure code is read through <see cref="CarrierCodes"/>; one that is not
/// there stays unknown. The form push's `respCode` reuses the REST platform's `statusCode`, whose only documented
/// value for a report is `000000` (success); Ronglian's failure codes for it are not published in any page that
/// could be searched (容联云通讯 短信状态报告 / 错误码). Add Ronglian's own codes here when its documentation is found.
/// </summary>
public static class RonglianCodes
{
    public static readonly CodeTable Table = new("ronglian",
    [
        new("DELIVRD", Delivered, "delivered (the carrier stat, as in the SMSArrived examples)"),
        new("000000", Delivered, "success (the REST platform's statusCode, which the form push's respCode reuses)"),
    ]);
}
