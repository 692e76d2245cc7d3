using System.Text;

namespace Ledger.Tests.Hostile;

/// <summary>Random and mutated request bodies: the shapes that break parsers.</summary>
public static class HostileInputs
{
    public static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=GBK", "application/x-www-form-urlencoded",
        "application/xml", "text/xml; charset=GB18030", "text/plain", "multipart/form-data; boundary=x", "application/octet-stream",
        "application/json; charset=no-such-charset", "",
    ];

    /// <summary>Valid-looking documents of every provider, to mutate.</summary>
    public static readonly string[] Seeds =
    [
        """[{"phone_number":"13800000000","report_time":"2026-11-25 10:32:05","success":true,"err_code":"DELIVERED","sms_size":"1","biz_id":"1","out_id":"o"}]""",
        """[{"user_receive_time":"2026-11-25 10:32:04","nationcode":"86","mobile":"13800000000","report_status":"SUCCESS","errmsg":"DELIVRD","sid":"s"}]""",
        """{"Request":{"action":"SMSArrived","smsType":"1","content":"abc","fromNum":"13912345678","recvTime":"20130923010010","status":"0","deliverCode":"DELIVRD"}}""",
        """<?xml version="1.0"?><Request><action>SMSArrived</action><smsType>1</smsType><content>abc</content><status>0</status><recvTime>20130923010010</recvTime></Request>""",
        "MessageSid=SM1&MessageStatus=delivered&To=%2B15551234567&AccountSid=AC1",
        "messageId=0B1&status=delivered&msisdn=447700900000&scts=2011010110&err-code=0&message-timestamp=2026-11-25+10%3A32%3A04",
        """{"statusReportList":[{"smsMsgId":"m1","status":"DELIVRD","updateTime":"2026-11-25T02:32:05Z"}]}""",
        "smsMsgId=m1&status=DELIVRD&updateTime=2026-11-25T02%3A32%3A05Z&total=1",
        """{"messageId":"b1","code":"0","mobile":"13800000000"}""",
        "msgid=g1&stat=DELIVRD&done_time=2611251032&mobile=13800000000",
    ];

    private static readonly string[] Nasty =
    [
        "<!DOCTYPE r [<!ENTITY x \"xxxxxxxxxx\"><!ENTITY y \"&x;&x;&x;&x;&x;&x;&x;&x;\">]><Request><content>&y;</content></Request>",
        "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"file:///etc/passwd\"><Request><content>&xxe;</content></Request>",
        new string('[', 5000) + new string(']', 5000),
        "{\"a\":" + new string('[', 200) + "1" + new string(']', 200) + "}",
        "[{\"sid\":\"" + new string('9', 400) + "\",\"report_status\":1e99999,\"user_receive_time\":-1}]",
        "[{\"biz_id\":123456789012345678901234567890,\"phone_number\":1.5e308,\"success\":\"maybe\"}]",
        "[null, true, 1, \"x\"]",
        "%%%&&&===&=%zz&MessageSid",
        "\u0000\u0001\u0002",
        "{\"Request\":{\"action\":\"SMSArrived\",\"content\":{\"nested\":[1,2,3]}}}",
    ];

    public static byte[] Next(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(0, 512)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                return Encoding.UTF8.GetBytes(Nasty[random.Next(Nasty.Length)]);
            case 2:
                return Invalid(Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)]), random);
            default:
                return Mutate(Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)]), random);
        }
    }

    private const string Specials = "{}[]\",:<>&=%\\";

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = seed.ToList();
        for (var n = random.Next(1, 6); n > 0 && data.Count > 0; n--)
        {
            var at = random.Next(data.Count);
            switch (random.Next(4))
            {
                case 0: data[at] = (byte)random.Next(256); break;
                case 1: data.RemoveAt(at); break;
                case 2: data.Insert(at, (byte)Specials[random.Next(Specials.Length)]); break;
                default: data.InsertRange(at, data.Skip(at).Take(random.Next(1, 40)).ToList()); break;
            }
        }

        return [.. data];
    }

    /// <summary>Invalid UTF-8 sequences spliced into a valid document.</summary>
    private static byte[] Invalid(byte[] seed, Random random)
    {
        var data = seed.ToList();
        byte[][] invalid = [[0xC3], [0xE2, 0x28, 0xA1], [0xF0, 0x90, 0x28, 0xBC], [0xFF, 0xFE], [0xC0, 0xAF]];
        data.InsertRange(random.Next(data.Count), invalid[random.Next(invalid.Length)]);
        return [.. data];
    }
}
