using System.Text;

namespace Ledger.Bench;

public static class Payloads
{
    public static string Tencent(string prefix, int count)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            var sid = count == 1 ? prefix : $"{prefix}-{i}";
            sb.Append($$"""{"user_receive_time":"2026-11-25 10:32:04","nationcode":"86","mobile":"138{{i:D8}}","report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"{{sid}}","ext":""}""");
        }

        return sb.Append(']').ToString();
    }

    public static string TencentFixed(string sid) => Tencent(sid, 1);

    public static string Aliyun(string bizId, int count, string reportTime = "2026-11-25 10:32:05")
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"phone_number":"139{{i:D8}}","send_time":"2026-11-25 10:32:00","report_time":"{{reportTime}}","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"{{bizId}}","out_id":"o{{i}}"}""");
        }

        return sb.Append(']').ToString();
    }
}
