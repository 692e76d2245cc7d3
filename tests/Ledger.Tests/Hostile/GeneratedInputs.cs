using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Providers.Baidu;
using Ledger.Tests.Providers.Generic;
using Ledger.Tests.Providers.Huawei;
using Ledger.Tests.Providers.Twilio;

namespace Ledger.Tests.Hostile;

/// <summary>The kinds of input the generated suites try, each counted apart.</summary>
public enum HostileClass
{
    /// <summary>A valid report or reply, signed where the provider signs: must be accepted.</summary>
    Valid,
    NulOrSurrogate,
    LongKeyOrValue,
    HugeOrNegativeNumber,
    DeepNesting,
    ManyItems,
    MixedCharset,
    DuplicatedKeys,
    WrongContentType,
    Truncated,
    OddEncoding,
    MutatedField,
    RandomBytes,
}

/// <summary>One generated request: everything needed to send it, or to hand it to an adapter, and to name it again.</summary>
public sealed record GeneratedCase(
    int Seed,
    string Provider,
    string? Account,
    bool Replies,
    HostileClass Class,
    string Variant,
    string Method,
    string Query,
    IReadOnlyList<HeaderEntry> Headers,
    byte[] Body)
{
    /// <summary>The route the case goes to: `/callbacks/{provider}[/replies][/{account}]`.</summary>
    public string Path => "/callbacks/" + Provider + (Replies ? "/replies" : "") + (Account is null ? "" : "/" + Account);

    public string PathAndQuery => Path + (Query.Length == 0 ? "" : "?" + Query);

    public string? ContentType => Headers.FirstOrDefault(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The request as an adapter sees it behind the test host (http://localhost, loopback caller).</summary>
    public RawCallback ToRaw(DateTimeOffset receivedAt) => new(
        Guid.NewGuid(), Method, GeneratedInputs.BaseUrl + PathAndQuery, Path, Query.Length == 0 ? "" : "?" + Query,
        Headers, Body, "127.0.0.1", receivedAt);

    public override string ToString() =>
        $"seed {Seed}: {Class}/{Variant} {Method} {PathAndQuery} as '{ContentType}', {Body.Length} bytes";
}

/// <summary>
/// Requests generated from a seed, deterministically (the same seed and clock give the same bytes), for
/// every provider's reports and replies routes: valid ones, signed as the provider signs, and each
/// hostile class applied to the fields of a valid one before signing, so the hostile text reaches the
/// parser and not only the signature check. The signers are the tests' own (not the adapters').
/// </summary>
public static class GeneratedInputs
{
    /// <summary>What the test host's requests look like to the service (TestServer), which Twilio signs.</summary>
    public const string BaseUrl = "http://localhost";

    public static readonly string[] Providers = ["aliyun", "tencent", "huawei", "baidu", "ronglian", "twilio", "vonage", "generic"];

    /// <summary>The accounts the cases name, as in tests/Ledger.Tests/Accounts (the shared host loads the same files).</summary>
    public static ProviderAccount AccountFor(string provider, string? account) => (provider, account) switch
    {
        ("baidu", _) => new ProviderAccount { Name = "default", Secrets = ["old-token", "new-token"] },
        ("twilio", _) => new ProviderAccount { Name = "default", Secrets = ["old-token", "new-token"] },
        ("huawei", "signed") => new ProviderAccount
        {
            Name = "signed",
            Secrets = [HuaweiSigner.OldSecret, HuaweiSigner.NewSecret],
            Options = new(StringComparer.OrdinalIgnoreCase) { ["AppKey"] = HuaweiSigner.AppKey },
        },
        ("vonage", "signed") => new ProviderAccount { Name = "signed", Secrets = ["old-signature-secret", "new-signature-secret"], SignatureMethod = "md5hash" },
        ("vonage", _) => new ProviderAccount { Name = "default", Token = "vonage-url-token" },
        ("generic", _) => new ProviderAccount { Name = "default", Secrets = ["s1", "s2"], SignatureMethod = "hmac-sha256" },
        ("aliyun", _) => new ProviderAccount { Name = "default", Options = new(StringComparer.OrdinalIgnoreCase) { ["Variant"] = "domestic" } },
        _ => new ProviderAccount { Name = "default" },
    };

    private static readonly Encoding Gbk = LoadGbk();

    private static Encoding LoadGbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    /// <summary>The class of a case: a quarter valid, the rest spread over the hostile classes (the costly ones rarer).</summary>
    public static HostileClass PickClass(Random random)
    {
        var roll = random.Next(1000);
        return roll switch
        {
            < 250 => HostileClass.Valid,
            < 320 => HostileClass.NulOrSurrogate,
            < 385 => HostileClass.LongKeyOrValue,
            < 455 => HostileClass.HugeOrNegativeNumber,
            < 490 => HostileClass.DeepNesting,
            < 505 => HostileClass.ManyItems,
            < 575 => HostileClass.MixedCharset,
            < 645 => HostileClass.DuplicatedKeys,
            < 710 => HostileClass.WrongContentType,
            < 775 => HostileClass.Truncated,
            < 845 => HostileClass.OddEncoding,
            < 940 => HostileClass.MutatedField,
            _ => HostileClass.RandomBytes,
        };
    }

    /// <summary>
    /// The case of a seed. <paramref name="tag"/> makes its ids unique to a run (empty for the pure suite);
    /// <paramref name="now"/> is the clock signed timestamps are taken from; <paramref name="maxItems"/> caps the many-items class.
    /// </summary>
    public static GeneratedCase Generate(int seed, DateTimeOffset now, string tag = "", int maxItems = 3000, bool? replies = null)
    {
        var random = new Random(seed);
        var provider = Providers[random.Next(Providers.Length)];
        var toReplies = replies ?? (provider != "generic" && random.Next(4) == 0);
        var hostile = PickClass(random);
        var id = $"fz{tag}{seed:x}";
        var template = Template(provider, toReplies, id, random);
        var variant = Apply(hostile, template, random, id, maxItems);
        return Finish(seed, provider, toReplies, hostile, variant, template, random, now);
    }

    // ---- the model: a valid request as fields, rendered after the hostile class changed them ----

    /// <summary>A field: its name, its value, and whether the value is a JSON token as is (number, bool, nested) rather than a string.</summary>
    private sealed record Field(string Name, string Value, bool Raw = false);

    private enum Shape { JsonArray, JsonObject, JsonWrapped, Form, Xml }

    /// <summary>A request before rendering: its items of fields, how they are written, and how the provider signs.</summary>
    private sealed class Request
    {
        public required string Provider { get; init; }
        public string? Account { get; set; }
        public required Shape Shape { get; set; }
        public string Wrapper { get; init; } = "";
        public required List<List<Field>> Items { get; set; }
        public required string ContentType { get; set; }
        public string Method { get; set; } = "POST";

        /// <summary>The name of the field that keys the message (or the reply), and names of the numeric ones.</summary>
        public required string KeyField { get; init; }
        public string[] Numbers { get; init; } = [];
        public string[] Times { get; init; } = [];
        public string[] Statuses { get; init; } = [];
        public string? TextField { get; init; }

        /// <summary>Extra body bytes or wholesale replacement (set by a class that works on bytes).</summary>
        public Func<byte[], byte[]>? BodyTransform { get; set; }
        public Func<string, string>? FormTransform { get; set; }
        public Func<string, string>? JsonTransform { get; set; }
        public Encoding? BodyEncoding { get; set; }
        public string? ContentTypeOverride { get; set; }
        public bool ContentTypeOverridden { get; set; }
        public bool SignCorrectly { get; set; } = true;
        public bool FormInQuery { get; set; }
    }

    private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];

    private static Request Template(string provider, bool replies, string id, Random random)
    {
        var phone = "138" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        var text = Pick(random, "TD", "您好，退订", "ok thanks", "STOP", "é ü ß", "😀 yes");
        switch (provider, replies)
        {
            case ("aliyun", false):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.JsonArray,
                    ContentType = "application/json",
                    KeyField = "biz_id",
                    Numbers = ["sms_size"],
                    Times = ["report_time", "send_time"],
                    Statuses = ["success", "err_code"],
                    TextField = "err_msg",
                    Items = [AliyunItem(id + "-0", phone)],
                };
            case ("aliyun", true):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.JsonArray,
                    ContentType = "application/json",
                    KeyField = "sequence_id",
                    Numbers = ["sequence_id"],
                    Times = ["send_time"],
                    TextField = "content",
                    Items =
                    [
                        [
                            new("phone_number", phone), new("send_time", "2026-11-25 10:40:00"), new("content", text), new("sign_name", "阿里云"),
                            new("dest_code", "1234"), new("sequence_id", Digits(id), Raw: true),
                        ],
                    ],
                };
            case ("tencent", false):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.JsonArray,
                    ContentType = "application/json",
                    KeyField = "sid",
                    Numbers = ["nationcode"],
                    Times = ["user_receive_time"],
                    Statuses = ["report_status", "errmsg"],
                    TextField = "description",
                    Items = [TencentItem(id + "-0", phone)],
                };
            case ("tencent", true):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.JsonObject,
                    ContentType = "application/json",
                    KeyField = "mobile",
                    Numbers = ["time", "nationcode"],
                    Times = ["time"],
                    TextField = "text",
                    Items =
                    [
                        [
                            new("extend", ""), new("mobile", phone), new("nationcode", "86"), new("sign", "腾讯云"), new("text", text + " " + id),
                            new("time", "1764038400", Raw: true),
                        ],
                    ],
                };
            case ("huawei", false):
                var batch = random.Next(2) == 0;
                return new Request
                {
                    Provider = provider,
                    Account = random.Next(5) == 0 ? "signed" : null,
                    Shape = batch ? Shape.JsonWrapped : Shape.Form,
                    Wrapper = "statusReportList",
                    ContentType = batch ? "application/json" : "application/x-www-form-urlencoded",
                    KeyField = "smsMsgId",
                    Numbers = ["total", "sequence", "source"],
                    Times = ["updateTime"],
                    Statuses = ["status"],
                    TextField = "statusDesc",
                    Items = [HuaweiItem(id + "-0")],
                };
            case ("huawei", true):
                return new Request
                {
                    Provider = provider,
                    Account = random.Next(5) == 0 ? "signed" : null,
                    Shape = Shape.Form,
                    ContentType = "application/x-www-form-urlencoded",
                    KeyField = "smsMsgId",
                    Times = ["createTime"],
                    TextField = "body",
                    Items =
                    [
                        [new("smsMsgId", id), new("from", "+86" + phone), new("to", "106900001234"), new("body", text), new("createTime", "2026-11-25T02:40:00Z")],
                    ],
                };
            case ("baidu", false):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.JsonObject,
                    ContentType = "application/json;charset=utf-8",
                    KeyField = "messageId",
                    Numbers = ["attemptCount", "segmentCount"],
                    Times = ["deliverTime", "requestTime"],
                    Statuses = ["code", "carrierCode"],
                    TextField = "custom",
                    Items =
                    [
                        [
                            new("code", "0"), new("requestId", "71bdbef0ac8847378da21ecb142a14e7"), new("messageId", id), new("mobile", phone),
                            new("carrierCode", "DELIVRD"), new("custom", "order-7"), new("attemptCount", "1", Raw: true), new("segmentCount", "1", Raw: true),
                            new("deliverTime", "2026-11-25T02:32:05Z"), new("requestTime", "2026-11-25T02:32:00Z"),
                        ],
                    ],
                };
            case ("baidu", true):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.JsonObject,
                    ContentType = "application/json;charset=utf-8",
                    KeyField = "mobile",
                    Times = ["receiveTime"],
                    TextField = "content",
                    Items = [[new("mobile", phone), new("content", text + " " + id), new("sign", "百度云"), new("receiveTime", "2026-11-25T02:40:00Z")]],
                };
            case ("ronglian", _):
                var shape = replies ? Shape.JsonWrapped : random.Next(3) switch { 0 => Shape.JsonWrapped, 1 => Shape.Xml, _ => Shape.Form };
                return shape == Shape.Form
                    ? new Request
                    {
                        Provider = provider,
                        Shape = Shape.Form,
                        ContentType = "application/x-www-form-urlencoded",
                        KeyField = "smsMessageSid",
                        Times = ["reportTime"],
                        Statuses = ["respCode"],
                        Items = [[new("respCode", "000000"), new("mobile", phone), new("reportTime", "20261125103205"), new("smsMessageSid", id)]],
                    }
                    : new Request
                    {
                        Provider = provider,
                        Shape = shape,
                        Wrapper = "Request",
                        ContentType = shape == Shape.Xml ? "application/xml" : "application/json",
                        KeyField = "content",
                        Numbers = ["smsCount", "smsType"],
                        Times = ["recvTime", "dateSent"],
                        Statuses = ["status", "deliverCode", "action"],
                        TextField = "content",
                        Items =
                        [
                            replies
                                ? [new("action", "SMSArrived"), new("smsType", "0"), new("apiVersion", "2013-12-26"), new("content", text + " " + id),
                                   new("fromNum", phone), new("recvTime", "20261125104000"), new("spCode", "10690876"), new("appendCode", "01")]
                                : [new("action", "SMSArrived"), new("smsType", "1"), new("apiVersion", "2013-12-26"), new("content", id),
                                   new("fromNum", phone), new("dateSent", "20261125103200"), new("deliverCode", "DELIVRD"), new("recvTime", "20261125103205"),
                                   new("status", "0"), new("reqId", "123"), new("smsCount", "2"), new("spCode", "10690876")],
                        ],
                    };
            case ("twilio", false):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.Form,
                    ContentType = "application/x-www-form-urlencoded",
                    KeyField = "MessageSid",
                    Numbers = ["ErrorCode"],
                    Times = ["RawDlrDoneDate"],
                    Statuses = ["MessageStatus", "SmsStatus"],
                    Items =
                    [
                        [
                            new("ApiVersion", "2010-04-01"), new("AccountSid", "AC00000000000000000000000000000000"), new("From", "+15017122661"),
                            new("To", "+1415" + phone[3..]), new("MessageSid", "SM" + id), new("SmsSid", "SM" + id),
                            new("MessageStatus", Pick(random, "delivered", "undelivered", "sent", "failed")), new("SmsStatus", "delivered"),
                            new("ErrorCode", "30003"), new("RawDlrDoneDate", "2611251032"),
                        ],
                    ],
                };
            case ("twilio", true):
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.Form,
                    ContentType = "application/x-www-form-urlencoded",
                    KeyField = "MessageSid",
                    Numbers = ["NumMedia", "NumSegments"],
                    TextField = "Body",
                    Items =
                    [
                        [
                            new("ToCountry", "US"), new("SmsMessageSid", "SM" + id), new("NumMedia", "0"), new("SmsSid", "SM" + id), new("SmsStatus", "received"),
                            new("Body", text), new("To", "+14155550100"), new("NumSegments", "1"), new("MessageSid", "SM" + id),
                            new("AccountSid", "AC00000000000000000000000000000000"), new("From", "+1" + phone[1..]), new("ApiVersion", "2010-04-01"),
                        ],
                    ],
                };
            case ("vonage", false):
                return new Request
                {
                    Provider = provider,
                    Account = random.Next(2) == 0 ? "signed" : null,
                    Shape = Shape.Form,
                    ContentType = "application/x-www-form-urlencoded",
                    KeyField = "messageId",
                    Numbers = ["err-code", "price", "network-code"],
                    Times = ["message-timestamp", "scts"],
                    Statuses = ["status"],
                    FormInQuery = random.Next(4) == 0,
                    Items =
                    [
                        [
                            new("err-code", "0"), new("message-timestamp", "2026-11-25 10:32:05"), new("messageId", "0B" + id), new("msisdn", "44" + phone),
                            new("network-code", "23410"), new("price", "0.03330000"), new("scts", "2611251132"),
                            new("status", Pick(random, "delivered", "failed", "expired", "accepted", "buffered")), new("to", "Nexmo CLI"),
                        ],
                    ],
                };
            case ("vonage", true):
                return new Request
                {
                    Provider = provider,
                    Account = "signed",
                    Shape = Shape.Form,
                    ContentType = "application/x-www-form-urlencoded",
                    KeyField = "messageId",
                    Times = ["message-timestamp"],
                    TextField = "text",
                    Items =
                    [
                        [
                            new("msisdn", "44" + phone), new("to", "447700900000"), new("messageId", "0B" + id), new("text", text), new("type", "text"),
                            new("keyword", "KW"), new("message-timestamp", "2026-11-25 02:40:00"),
                        ],
                    ],
                };
            default:
                return new Request
                {
                    Provider = provider,
                    Shape = Shape.Form,
                    ContentType = "application/x-www-form-urlencoded",
                    KeyField = "msgid",
                    Numbers = ["parts"],
                    Times = ["done_time"],
                    Statuses = ["stat"],
                    Items = [GenericItem(id + "-0", phone)],
                };
        }
    }

    private static string Digits(string id) =>
        ((long)(BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(id)), 0) % 9_000_000_000_000_000L) + 1_000_000_000_000_000L).ToString(CultureInfo.InvariantCulture);

    private static List<Field> AliyunItem(string bizId, string phone) =>
    [
        new("phone_number", phone), new("send_time", "2026-11-25 10:32:00"), new("report_time", "2026-11-25 10:32:05"), new("success", "true", Raw: true),
        new("err_code", "DELIVERED"), new("err_msg", "用户接收成功"), new("sms_size", "1"), new("biz_id", bizId), new("out_id", "order-1"),
    ];

    private static List<Field> TencentItem(string sid, string phone) =>
    [
        new("user_receive_time", "2026-11-25 10:32:04"), new("nationcode", "86"), new("mobile", phone), new("report_status", "SUCCESS"),
        new("errmsg", "DELIVRD"), new("description", "用户短信送达成功"), new("sid", sid), new("ext", ""),
    ];

    private static List<Field> HuaweiItem(string smsMsgId) =>
    [
        new("smsMsgId", smsMsgId), new("total", "1"), new("sequence", "1"), new("status", "DELIVRD"), new("statusDesc", ""), new("source", "2"),
        new("updateTime", "2026-11-25T02:32:05Z"), new("orgCode", "000"),
    ];

    private static List<Field> GenericItem(string msgid, string phone) =>
    [
        new("msgid", msgid), new("stat", "DELIVRD"), new("done_time", "2611251032"), new("mobile", phone), new("out_id", "order-7"), new("parts", "2"),
    ];

    // ---- the hostile classes ----

    private static readonly string[] Nuls = ["\0", "a\0b", "\uD800", "\uDFFF", "x\uD83D", "\uDE00y", "\0\uD800\0", "\u0001\u001f", "\uFFFE\uFFFF"];

    private static readonly string[] Numbers =
    [
        "2147483647", "2147483648", "-1", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999999999", "1e308", "1e400", "-1e400", "-0", "0.5", "1.0000000000000000000001", "NaN", "Infinity", "0x10", "00001",
        "1E2", " 7 ", "+5", "٣",
    ];

    private static string Apply(HostileClass hostile, Request request, Random random, string id, int maxItems)
    {
        var item = request.Items[0];
        int Index(string name) => item.FindIndex(f => f.Name == name);
        int AnyField() => random.Next(item.Count);
        int KeyOrAny() => random.Next(3) == 0 || Index(request.KeyField) < 0 ? AnyField() : Index(request.KeyField);

        switch (hostile)
        {
            case HostileClass.Valid:
                return "valid";

            case HostileClass.NulOrSurrogate:
                {
                    var at = KeyOrAny();
                    var bad = Nuls[random.Next(Nuls.Length)];
                    var value = item[at].Value;
                    var pos = random.Next(value.Length + 1);
                    item[at] = item[at] with { Value = value.Insert(pos, bad), Raw = false };
                    if (random.Next(6) == 0)
                    {
                        // A raw NUL byte inside the text rather than an escape: not JSON any more.
                        request.JsonTransform = json => json.Replace("\\u0000", "\0");
                        return "nul-raw:" + item[at].Name;
                    }

                    return "nul-or-surrogate:" + item[at].Name;
                }

            case HostileClass.LongKeyOrValue:
                {
                    var length = random.Next(8) == 0 ? random.Next(20_000, 40_000) : random.Next(10_000, 14_000);
                    switch (random.Next(3))
                    {
                        case 0:
                            var key = Index(request.KeyField) is >= 0 and var k ? k : AnyField();
                            item[key] = item[key] with { Value = Long(item[key].Value, length, random), Raw = false };
                            return "long-key:" + item[key].Name;
                        case 1:
                            var at = AnyField();
                            item[at] = item[at] with { Value = Long(item[at].Value, length, random), Raw = false };
                            return "long-value:" + item[at].Name;
                        default:
                            item.Insert(random.Next(item.Count + 1), new Field(Long("k", length, random), "v"));
                            return "long-name";
                    }
                }

            case HostileClass.HugeOrNegativeNumber:
                {
                    var names = request.Numbers.Concat(request.Times).Where(n => Index(n) >= 0).ToArray();
                    var at = names.Length > 0 && random.Next(4) != 0 ? Index(names[random.Next(names.Length)]) : AnyField();
                    var number = Numbers[random.Next(Numbers.Length)];
                    var raw = request.Shape is not (Shape.Form or Shape.Xml) && random.Next(2) == 0 && double.TryParse(number, CultureInfo.InvariantCulture, out _);
                    item[at] = item[at] with { Value = number, Raw = raw && number.Trim() == number && !number.StartsWith('+') && !number.StartsWith("00") && number != "NaN" && number != "Infinity" };
                    return "number:" + item[at].Name;
                }

            case HostileClass.DeepNesting:
                {
                    var depth = random.Next(2) == 0 ? random.Next(60, 200) : random.Next(200, 5000);
                    var at = KeyOrAny();
                    var open = random.Next(2) == 0 ? "[" : "{\"a\":";
                    var close = open == "[" ? "]" : "}";
                    var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
                    if (request.Shape == Shape.Xml)
                    {
                        nested = string.Concat(Enumerable.Repeat("<a>", depth)) + "1" + string.Concat(Enumerable.Repeat("</a>", depth));
                    }

                    item[at] = item[at] with { Value = nested, Raw = request.Shape is not Shape.Form };
                    return $"nesting-{(depth < 200 ? "shallow" : "deep")}:{item[at].Name}";
                }

            case HostileClass.ManyItems:
                {
                    var count = random.Next(4) != 0 ? random.Next(2, 60) : random.Next(60, maxItems + 1);
                    if (request.Shape is Shape.JsonArray or Shape.JsonWrapped && request.Wrapper != "Request")
                    {
                        var first = request.Items[0];
                        for (var i = 1; i < count; i++)
                        {
                            request.Items.Add([.. first.Select(f => f.Name != request.KeyField ? f
                            : f.Raw ? f with { Value = Digits($"{id}-{i}") }
                            : f with { Value = Replace(f.Value, id + "-0", $"{id}-{i}") })]);
                        }

                        return count <= 50 ? "items-few" : "items-many";
                    }

                    // A shape of one report: the same parameter repeated many times.
                    var at = KeyOrAny();
                    for (var i = 1; i < count; i++)
                    {
                        item.Add(item[at] with { Value = item[at].Value + i.ToString(CultureInfo.InvariantCulture) });
                    }

                    return "repeated-parameter";
                }

            case HostileClass.MixedCharset:
                {
                    var text = request.TextField is { } tf && Index(tf) >= 0 ? Index(tf) : AnyField();
                    item[text] = item[text] with { Value = item[text].Value + "中文测试短信：用户接收成功", Raw = false };
                    switch (random.Next(4))
                    {
                        case 0:
                            request.BodyEncoding = Gbk; // GBK bytes, declared (or defaulted) UTF-8
                            return "gbk-bytes-as-utf8";
                        case 1:
                            request.ContentTypeOverride = request.ContentType.Split(';')[0] + "; charset=GBK"; // UTF-8 bytes declared GBK
                            return "utf8-bytes-as-gbk";
                        case 2:
                            request.BodyEncoding = Gbk;
                            request.ContentTypeOverride = request.ContentType.Split(';')[0] + "; charset=GB18030"; // GBK, declared: readable
                            return "gbk-declared";
                        default:
                            // GBK bytes of one value spliced into an otherwise UTF-8 body.
                            var marker = "\u2603SPLICE\u2603";
                            item[text] = item[text] with { Value = item[text].Value + marker };
                            request.BodyTransform = bytes => Splice(bytes, Encoding.UTF8.GetBytes(marker), Gbk.GetBytes("混合编码"));
                            return "spliced-gbk";
                    }
                }

            case HostileClass.DuplicatedKeys:
                {
                    var at = KeyOrAny();
                    var twin = item[at] with { Value = random.Next(2) == 0 ? item[at].Value + "-twin" : "" };
                    item.Insert(random.Next(item.Count + 1), twin);
                    return "duplicate:" + item[at].Name;
                }

            case HostileClass.WrongContentType:
                {
                    var wrong = HostileInputs.ContentTypes.Where(c => c != request.ContentType).ToArray();
                    request.ContentTypeOverride = random.Next(8) == 0 ? null : wrong[random.Next(wrong.Length)];
                    request.ContentTypeOverridden = true;
                    return "content-type:" + (request.ContentTypeOverride ?? "none");
                }

            case HostileClass.Truncated:
                {
                    var keep = random.NextDouble();
                    request.BodyTransform = bytes => bytes[..(int)(bytes.Length * keep)];
                    return keep < 0.5 ? "truncated-early" : "truncated-late";
                }

            case HostileClass.OddEncoding:
                {
                    if (request.Shape is Shape.Form)
                    {
                        var odd = Pick(random, "%zz", "%", "%C0%AF", "%2541", ";", "&&&", "=x", "a=b=c", "%FF%FE", "+%2B+", "%u4E2D", "name", "&=&");
                        request.FormTransform = form => random.Next(2) == 0 ? form.Replace("%20", "+").Replace("&", "&" + odd + "&") : InsertAt(form, odd, random);
                        return "form:" + odd;
                    }

                    var variant = random.Next(6);
                    switch (variant)
                    {
                        case 0:
                            request.BodyTransform = bytes => [0xEF, 0xBB, 0xBF, .. bytes];
                            return "utf8-bom";
                        case 1:
                            request.BodyEncoding = new UnicodeEncoding(false, true);
                            request.ContentTypeOverride = request.ContentType.Split(';')[0] + "; charset=utf-16";
                            return "utf16";
                        case 2:
                            request.BodyEncoding = new UnicodeEncoding(false, false);
                            return "utf16-undeclared";
                        case 3:
                            request.JsonTransform = json => json.Replace("\":", "\" /* c */ :").Replace("}", ",}");
                            return "comments-trailing-commas";
                        case 4:
                            request.JsonTransform = json => json.Replace('"', '\'');
                            return "single-quotes";
                        default:
                            request.ContentTypeOverride = request.ContentType.Split(';')[0] + "; charset=\"utf-8\"; boundary=;;";
                            return "odd-content-type-params";
                    }
                }

            case HostileClass.MutatedField:
                {
                    var at = KeyOrAny();
                    var field = item[at];
                    var mutation = random.Next(10);
                    switch (mutation)
                    {
                        case 0:
                            item.RemoveAt(at);
                            return "missing:" + field.Name;
                        case 1:
                            item[at] = field with { Value = Pick(random, "", " ", "\t", "\r\n"), Raw = false };
                            return "blank:" + field.Name;
                        case 2:
                            item[at] = field with { Value = Pick(random, "null", "true", "false", "[]", "{}", "[1,2]", "{\"x\":\"y\"}", "12345"), Raw = request.Shape is not (Shape.Form or Shape.Xml) };
                            return "wrong-type:" + field.Name;
                        case 3:
                            var statuses = request.Statuses.Where(n => Index(n) >= 0).ToArray();
                            var s = statuses.Length > 0 ? Index(statuses[random.Next(statuses.Length)]) : at;
                            item[s] = item[s] with { Value = Pick(random, "DELIVRD", "delivered", "UNKNOWN", "MK:0001", "FAIL", "0", "1", "-1", "SUCCESS", "success", "yes", "成功"), Raw = false };
                            return "status:" + item[s].Name;
                        case 4:
                            var times = request.Times.Where(n => Index(n) >= 0).ToArray();
                            var t = times.Length > 0 ? Index(times[random.Next(times.Length)]) : at;
                            item[t] = item[t] with
                            {
                                Value = Pick(random, "2026-13-45 25:61:61", "0000-00-00 00:00:00", "9999-12-31 23:59:59", "1764038400", "1764038400000", "-1",
                                    "2026-11-25T10:32:05+25:00", "20261125", "2026-02-29 10:00:00", "2026-11-25 10:32:05.1234567", "yesterday", "2611251032"),
                                Raw = false,
                            };
                            return "time:" + item[t].Name;
                        case 5:
                            item[at] = field with { Value = Pick(random, "../../etc/passwd", "a/b", "a?b#c", "%2F", "a b", " padded ", "<script>", "=HYPERLINK(\"x\")", "'; drop table x; --") + field.Value, Raw = false };
                            return "odd-text:" + field.Name;
                        case 6:
                            item[at] = field with { Name = field.Name.ToUpperInvariant() };
                            return "name-case:" + field.Name;
                        case 7:
                            item[at] = field with { Name = " " + field.Name };
                            return "name-space:" + field.Name;
                        case 8:
                            item[at] = field with { Value = field.Value + Pick(random, "\u202E", "\u200B", "\uFEFF", "\u00A0", "ｆｕｌｌ", "𝔘𝔫𝔦"), Raw = false };
                            return "unicode:" + field.Name;
                        default:
                            request.Items.Clear();
                            return "no-items";
                    }
                }

            default:
                var body = HostileInputs.Next(random);
                request.BodyTransform = _ => body;
                if (random.Next(2) == 0)
                {
                    request.ContentTypeOverride = HostileInputs.ContentTypes[random.Next(HostileInputs.ContentTypes.Length)];
                    request.ContentTypeOverridden = true;
                }

                return "bytes";
        }
    }

    private static string Long(string value, int length, Random random)
    {
        var unit = Pick(random, "x", "9", "中", "😀", "%", "a b");
        var builder = new StringBuilder(value, length + value.Length);
        while (builder.Length < length)
        {
            builder.Append(unit);
        }

        return builder.ToString();
    }

    private static string Replace(string value, string from, string to) => value == from ? to : value + "-" + to;

    private static string InsertAt(string text, string insert, Random random) => text.Insert(random.Next(text.Length + 1), insert);

    private static byte[] Splice(byte[] bytes, byte[] marker, byte[] replacement)
    {
        var at = bytes.AsSpan().IndexOf(marker);
        return at < 0 ? bytes : [.. bytes[..at], .. replacement, .. bytes[(at + marker.Length)..]];
    }

    // ---- rendering and signing ----

    private static GeneratedCase Finish(int seed, string provider, bool replies, HostileClass hostile, string variant, Request request, Random random, DateTimeOffset now)
    {
        // A hostile case is signed correctly most of the time (its hostile text then reaches the parser); a few are not.
        request.SignCorrectly = hostile == HostileClass.Valid || random.Next(10) != 0;
        var encoding = request.BodyEncoding ?? Encoding.UTF8;
        var headers = new List<HeaderEntry>();
        var query = "";
        var method = request.Method;
        byte[] body;
        var fields = request.Items.Count > 0 ? request.Items[0] : [];
        var parameters = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();

        switch (provider)
        {
            case "twilio":
                {
                    var form = Form(parameters, request.FormTransform);
                    body = Encode(form, encoding, request.BodyTransform);
                    var url = BaseUrl + "/callbacks/twilio" + (replies ? "/replies" : "");
                    var signature = TwilioRequests.Sign(request.SignCorrectly ? "new-token" : "wrong-token", url, parameters, sha256: false);
                    headers.Add(new("X-Twilio-Signature", signature));
                    break;
                }

            case "vonage":
                {
                    var signed = request.Account == "signed"
                        ? Signed(parameters, request.SignCorrectly ? "new-signature-secret" : "wrong-secret", now, random)
                        : parameters;
                    if (request.Account != "signed")
                    {
                        query = "token=" + (request.SignCorrectly ? "vonage-url-token" : "nope");
                    }

                    var form = Form(signed, request.FormTransform);
                    if (request.FormInQuery && request.BodyTransform is null && request.BodyEncoding is null && !request.ContentTypeOverridden)
                    {
                        method = "GET";
                        query = query.Length == 0 ? form : query + "&" + form;
                        body = [];
                        request.ContentType = "";
                    }
                    else
                    {
                        body = Encode(form, encoding, request.BodyTransform);
                    }

                    break;
                }

            case "generic":
                {
                    var timestamp = GatewaySigner.Epoch(now);
                    var nonce = NonceOf(random);
                    var pairs = parameters.Select(p => (p.Key, p.Value)).ToList();
                    var signature = GatewaySigner.HmacSha256Hex(request.SignCorrectly ? "s1" : "wrong", GatewaySigner.WithHeaders(timestamp, nonce, GatewaySigner.Sorted(pairs)));
                    body = Encode(Form(parameters, request.FormTransform), encoding, request.BodyTransform);
                    headers.Add(new("X-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture)));
                    headers.Add(new("X-Nonce", nonce));
                    headers.Add(new("X-Signature", signature));
                    break;
                }

            case "baidu":
                {
                    body = Encode(Render(request), encoding, request.BodyTransform);
                    var timestamp = BaiduRequests.Millis(now);
                    var signature = BaiduMd5(request.SignCorrectly ? "new-token" : "wrong", timestamp, body);
                    headers.Add(new("requestId", NonceOf(random)));
                    headers.Add(new("timestamp", timestamp));
                    headers.Add(new("signature", signature));
                    break;
                }

            default:
                body = Encode(request.Shape == Shape.Form ? Form(parameters, request.FormTransform) : Render(request), encoding, request.BodyTransform);
                break;
        }

        var contentType = request.ContentTypeOverride ?? (request.ContentTypeOverridden ? null : request.ContentType);
        if (!string.IsNullOrEmpty(contentType))
        {
            headers.Insert(0, new("Content-Type", contentType));
        }

        if (provider == "huawei" && request.Account == "signed")
        {
            var sdkDate = HuaweiSigner.SdkDate(now);
            var path = "/callbacks/huawei" + (replies ? "/replies" : "") + "/signed";
            var signedHeaders = new List<(string, string)> { ("Host", "localhost"), ("X-Sdk-Date", sdkDate) };
            if (!string.IsNullOrEmpty(contentType))
            {
                signedHeaders.Insert(0, ("Content-Type", contentType));
            }

            var authorization = HuaweiSigner.Authorization(HuaweiSigner.AppKey, request.SignCorrectly ? HuaweiSigner.NewSecret : "wrong", "POST", path, [],
                signedHeaders, body, sdkDate);
            headers.Add(new("Host", "localhost"));
            headers.Add(new("X-Sdk-Date", sdkDate));
            headers.Add(new("Authorization", authorization));
        }

        if (method == "GET" && body.Length == 0)
        {
            headers.RemoveAll(h => h.Name == "Content-Type");
        }

        return new GeneratedCase(seed, provider, request.Account, replies, hostile, variant, method, query, headers, body);
    }

    private static string NonceOf(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString("N");
    }

    /// <summary>Vonage's scheme (as <see cref="Providers.Vonage.VonageRequests.Signed"/>, with a nonce from the seed).</summary>
    private static List<KeyValuePair<string, string>> Signed(List<KeyValuePair<string, string>> parameters, string secret, DateTimeOffset at, Random random)
    {
        var all = new List<KeyValuePair<string, string>>(parameters)
        {
            new("timestamp", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new("nonce", new Guid(NonceOf(random)).ToString()),
        };
        var text = string.Concat(all.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => "&" + p.Key + "=" + p.Value.Replace("&", "_").Replace("=", "_")));
        all.Add(new("sig", Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text + secret)))));
        return all;
    }

    private static string BaiduMd5(string token, string timestamp, byte[] body) =>
        Convert.ToHexStringLower(MD5.HashData([.. Encoding.UTF8.GetBytes(token), .. Encoding.UTF8.GetBytes(timestamp), .. body]));

    private static byte[] Encode(string text, Encoding encoding, Func<byte[], byte[]>? transform)
    {
        var bytes = Lenient(encoding).GetBytes(text);
        return transform is null ? bytes : transform(bytes);
    }

    /// <summary>UTF-8 that writes a lone surrogate as its three bytes (WTF-8), as a careless sender's encoder does, instead of throwing.</summary>
    private static Encoding Lenient(Encoding encoding) =>
        encoding is UTF8Encoding ? Wtf8.Instance : Encoding.GetEncoding(encoding.CodePage, new EncoderReplacementFallback("?"), DecoderFallback.ReplacementFallback);

    private sealed class Wtf8 : Encoding
    {
        public static readonly Wtf8 Instance = new();

        public override int GetByteCount(char[] chars, int index, int count) => GetBytes(chars, index, count, new byte[count * 4], 0);

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
        {
            var at = byteIndex;
            for (var i = charIndex; i < charIndex + charCount; i++)
            {
                int c = chars[i];
                if (char.IsHighSurrogate(chars[i]) && i + 1 < charIndex + charCount && char.IsLowSurrogate(chars[i + 1]))
                {
                    c = char.ConvertToUtf32(chars[i], chars[i + 1]);
                    i++;
                }

                if (c < 0x80)
                {
                    bytes[at++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    bytes[at++] = (byte)(0xC0 | (c >> 6));
                    bytes[at++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c < 0x10000)
                {
                    bytes[at++] = (byte)(0xE0 | (c >> 12));
                    bytes[at++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    bytes[at++] = (byte)(0x80 | (c & 0x3F));
                }
                else
                {
                    bytes[at++] = (byte)(0xF0 | (c >> 18));
                    bytes[at++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                    bytes[at++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    bytes[at++] = (byte)(0x80 | (c & 0x3F));
                }
            }

            return at - byteIndex;
        }

        public override int GetCharCount(byte[] bytes, int index, int count) => UTF8.GetCharCount(bytes, index, count);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) => UTF8.GetChars(bytes, byteIndex, byteCount, chars, charIndex);

        public override int GetMaxByteCount(int charCount) => charCount * 4;

        public override int GetMaxCharCount(int byteCount) => byteCount + 1;
    }

    /// <summary>A form as a sender writes it: percent-encoded UTF-8 (a lone surrogate as its WTF-8 bytes), in the given order, duplicates kept.</summary>
    private static string Form(IEnumerable<KeyValuePair<string, string>> parameters, Func<string, string>? transform)
    {
        var form = string.Join("&", parameters.Select(p => Percent(p.Key) + "=" + Percent(p.Value)));
        return transform is null ? form : transform(form);
    }

    private const string Hex = "0123456789ABCDEF";

    private static string Percent(string text)
    {
        var builder = new StringBuilder(text.Length * 3);
        foreach (var b in Wtf8.Instance.GetBytes(text))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    private static string Render(Request request)
    {
        if (request.Shape == Shape.Xml)
        {
            var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Request>");
            foreach (var field in request.Items.FirstOrDefault() ?? [])
            {
                var name = XmlName(field.Name);
                xml.Append('<').Append(name).Append('>').Append(field.Raw ? field.Value : XmlText(field.Value)).Append("</").Append(name).Append('>');
            }

            return xml.Append("</Request>").ToString();
        }

        var items = request.Items.Select(Object).ToList();
        var json = request.Shape switch
        {
            Shape.JsonArray => "[" + string.Join(",", items) + "]",
            Shape.JsonObject => items.FirstOrDefault() ?? "{}",
            _ when request.Wrapper == "Request" => "{\"Request\":" + (items.FirstOrDefault() ?? "{}") + "}",
            _ => "{\"" + request.Wrapper + "\":[" + string.Join(",", items) + "]}",
        };
        return request.JsonTransform is null ? json : request.JsonTransform(json);
    }

    private static string Object(List<Field> fields) =>
        "{" + string.Join(",", fields.Select(f => Quote(f.Name) + ":" + (f.Raw ? f.Value : Quote(f.Value)))) + "}";

    /// <summary>A JSON string: control characters and lone surrogates as \u escapes (valid JSON text), everything else as is.</summary>
    private static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired)
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c < 0x20 || char.IsSurrogate(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    private static string XmlName(string name)
    {
        var cleaned = new string(name.Where(c => char.IsLetterOrDigit(c) || c is '_' or '-').ToArray());
        return cleaned.Length == 0 || !char.IsLetter(cleaned[0]) ? "x" + cleaned : cleaned;
    }

    /// <summary>Text content with markup escaped; NUL and lone surrogates as character references (which XML refuses).</summary>
    private static string XmlText(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }

            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ when c < 0x20 && c is not ('\t' or '\n' or '\r') || char.IsSurrogate(c) => $"&#x{(int)c:X};",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
