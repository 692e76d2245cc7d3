using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Huawei;

/// <summary>
/// Huawei Cloud MSGSMS status reports, in its two shapes:
/// a single report, form-encoded, sent to the `statusCallback` URL given at send time
/// (https://support.huaweicloud.com/api-msgsms/sms_05_0003.html), and a batch
/// `{"statusReportList":[…]}` of at most 50, sent to the application's configured URL
/// (https://support.huaweicloud.com/api-msgsms/sms_05_0063.html). `smsMsgId` identifies the message.
/// Huawei signs nothing by default ("用户对短信平台推送的状态报告免鉴权"): protect the account with a
/// URL token and/or an allowlist. An account configured with an app key (`Options:AppKey`) and app
/// secrets (`Secrets`) also requires AK/SK signing (<see cref="HuaweiSignature"/>), checked before
/// the body is read; the token and allowlist still apply when set.
/// </summary>
public sealed partial class HuaweiAdapter : IProviderAdapter, IReplyReader
{
    /// <summary>"短信平台批量推送状态报告，单次最多推送50条" (sms_05_0063): more is not a Huawei push.</summary>
    public const int MaxBatch = 50;

    /// <summary>updateTime: "UTC时间，格式为：yyyy-MM-dd'T'HH:mm:ss'Z'" (the colons arrive as %3A in the form).</summary>
    public const string UpdateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public string Name => "huawei";

    /// <summary>huawei/2: a report of a long message's part names the part (sequence/total), so parts are not duplicates.</summary>
    public string ParserVersion => "huawei/2";

    /// <summary>`Options:AppKey`: the app key (`Access=`) an AK/SK-signed account expects.</summary>
    public const string AppKeyOption = "AppKey";

    /// <summary>
    /// Neither page documents a reply body or retry rule (reference §6: "Expected reply and retry: not
    /// found"), so an empty 200 is the safest acknowledgement.
    /// </summary>
    public static readonly ProviderReply Received = ProviderReply.Empty();

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, now, reply: false);

    /// <summary>The upstream (上行) notification (<see cref="HuaweiReplies"/>), verified exactly as status reports are.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, now, reply: true);

    private AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now, bool reply)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        if (IsSigned(account) && Verify(request, account, now) is { } unverified)
        {
            return AdapterResult.Reject(unverified);
        }

        if (request.Body.Length == 0)
        {
            return AdapterResult.Reject(Rejection.Malformed("The body is empty; a form-encoded report or a JSON statusReportList was expected."));
        }

        var text = request.BodyText(account.Charset);
        if (reply)
        {
            return HuaweiReplies.Read(text, Received);
        }

        return IsJson(request.ContentType, text) ? ReadBatch(text) : ReadSingle(text);
    }

    /// <summary>
    /// DELIVRD is the only success; the SMPP failure words, carrier vendor codes (`MK:0001`, `MI:0024`)
    /// and Huawei platform codes (`E200015`) are final failures (reference §0); ACCEPTD/ENROUTE are
    /// intermediate; UNKNOWN is SMPP's final "result unknown". Anything else is kept as unknown, not refused.
    /// </summary>
    public static (DeliveryStatus Status, bool Final) Interpret(string status) => status.ToUpperInvariant() switch
    {
        "DELIVRD" => (DeliveryStatus.Delivered, true),
        "EXPIRED" or "DELETED" or "UNDELIV" or "REJECTD" => (DeliveryStatus.Failed, true),
        "ACCEPTD" or "ENROUTE" => (DeliveryStatus.Pending, false),
        "UNKNOWN" => (DeliveryStatus.Unknown, true),
        var s when VendorCode().IsMatch(s) || PlatformCode().IsMatch(s) => (DeliveryStatus.Failed, true),
        _ => (DeliveryStatus.Unknown, false),
    };

    [GeneratedRegex(@"^[A-Z]{2}:\d{4}$")]
    private static partial Regex VendorCode();

    [GeneratedRegex(@"^E\d{6}$")]
    private static partial Regex PlatformCode();

    /// <summary>Signing is on as soon as either half of the AK/SK pair is configured: half a pair refuses, it does not fall back to unsigned.</summary>
    public static bool IsSigned(ProviderAccount account) =>
        AppKey(account) is not null || account.Secrets.Any(s => !string.IsNullOrWhiteSpace(s));

    private static string? AppKey(ProviderAccount account) =>
        account.Options.TryGetValue(AppKeyOption, out var key) && !string.IsNullOrWhiteSpace(key) ? key.Trim() : null;

    /// <summary>
    /// The AK/SK check. The signature is checked before the date, which it covers; no nonce is signed,
    /// so a re-sent request inside the window is accepted and recorded as the duplicate it is.
    /// </summary>
    private static Rejection? Verify(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        var setting = $"Ledger__Providers__huawei__{account.Name}__";
        var appKey = AppKey(account);
        var secrets = account.Secrets.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (appKey is null || secrets.Count == 0)
        {
            return Rejection.Unverified(RejectionReasons.BadSignature, appKey is null
                ? $"{account} has app secrets but no app key: set {setting}Options__AppKey to the app key Huawei signs with (Access=)."
                : $"{account} has an app key but no app secret: set {setting}Secrets__0 to the app secret.");
        }

        var credentials = HuaweiSignature.ParseAuthorization(request.Header("Authorization"));
        if (credentials is null)
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"{account} requires Huawei AK/SK signing: the request must carry 'Authorization: {HuaweiSignature.Algorithm} Access=…, SignedHeaders=…, Signature=…'.");
        }

        if (!UnsignedGuard.FixedTimeEquals(credentials.Access, appKey))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"Access names an app key that is not this account's ({setting}Options__AppKey).");
        }

        var sdkDate = request.Header(HuaweiSignature.DateHeader);
        if (string.IsNullOrWhiteSpace(sdkDate))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature, $"The {HuaweiSignature.DateHeader} header is missing: it is part of the signed text.");
        }

        if (request.Header(HuaweiSignature.ContentSha256Header) is { } contentSha256
            && string.Equals(contentSha256.Trim(), HuaweiSignature.UnsignedPayload, StringComparison.Ordinal))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"{HuaweiSignature.ContentSha256Header}: {HuaweiSignature.UnsignedPayload} leaves the body unsigned; a report's body must be signed.");
        }

        if (credentials.SignedHeaders.FirstOrDefault(name => request.Header(name) is null && name != "host") is { } absent)
        {
            return Rejection.Unverified(RejectionReasons.BadSignature, $"SignedHeaders names '{absent}', which the request does not carry.");
        }

        if (!HuaweiSignature.Verify(credentials.Signature, sdkDate, CanonicalRequests(request, credentials.SignedHeaders), secrets))
        {
            return Rejection.Unverified(RejectionReasons.BadSignature,
                $"The signature does not match {HuaweiSignature.Algorithm} over this request (method, public URL path and query, the signed headers, the body) with any app secret of {account}. Behind a proxy, set Ledger__PublicBaseUrl to the URL Huawei calls.");
        }

        if (!DateTimeOffset.TryParseExact(sdkDate.Trim(), HuaweiSignature.DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            return Rejection.Unverified(RejectionReasons.StaleTimestamp, $"{HuaweiSignature.DateHeader} '{sdkDate}' is not yyyyMMdd'T'HHmmss'Z'.");
        }

        var skew = (now - signedAt).Duration();
        if (!account.IgnoresTimestamp && skew > TimeSpan.FromSeconds(account.TimestampToleranceSeconds))
        {
            return Rejection.Unverified(RejectionReasons.StaleTimestamp,
                $"{HuaweiSignature.DateHeader} is {skew.TotalSeconds:F0} s away from our clock; at most {account.TimestampToleranceSeconds} s are accepted ({setting}TimestampToleranceSeconds).");
        }

        return null;
    }

    /// <summary>
    /// The canonical request for each form of the request the sender may have signed. The path and query
    /// come from the public URL (Ledger:PublicBaseUrl behind a proxy, as for Twilio). A signed `host` is
    /// tried as received and as the public URL's authority (default port dropped, as Huawei's signers
    /// do), since a proxy may rewrite the Host header.
    /// </summary>
    private static IEnumerable<string> CanonicalRequests(RawCallback request, IReadOnlyList<string> signedHeaders)
    {
        var (authority, path) = SplitUrl(request.Url);
        var uri = HuaweiSignature.CanonicalUri(path);
        var query = HuaweiSignature.CanonicalQuery(request.Query);
        var payload = HuaweiSignature.PayloadHash(request.Body);

        IEnumerable<string?> hosts = signedHeaders.Contains("host")
            ? new[] { request.Header("Host"), authority }.Where(h => h is not null).Distinct(StringComparer.Ordinal)
            : [null];
        foreach (var host in hosts)
        {
            var headers = HuaweiSignature.CanonicalHeaders(signedHeaders, name => name == "host"
                ? [host!]
                : request.Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value));
            yield return HuaweiSignature.CanonicalRequest(request.Method, uri, query, headers, signedHeaders, payload);
        }
    }

    /// <summary>The authority (without the scheme's default port) and the raw path of an absolute URL.</summary>
    private static (string? Authority, string Path) SplitUrl(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return (null, url.Split('?', 2)[0]);
        }

        var hostStart = schemeEnd + 3;
        var pathStart = url.IndexOfAny(['/', '?', '#'], hostStart);
        var authority = pathStart < 0 ? url[hostStart..] : url[hostStart..pathStart];
        var rest = pathStart < 0 ? "" : url[pathStart..];
        var path = rest.Split(['?', '#'], 2)[0];
        var defaultPort = url[..schemeEnd].ToLowerInvariant() switch { "https" => ":443", "http" => ":80", _ => null };
        if (defaultPort is not null && authority.EndsWith(defaultPort, StringComparison.Ordinal))
        {
            authority = authority[..^defaultPort.Length];
        }

        return (authority, path.Length == 0 ? "/" : path);
    }

    private static bool IsJson(string? contentType, string text) =>
        contentType is { } ct ? ct.Contains("json", StringComparison.OrdinalIgnoreCase) : text.TrimStart().StartsWith('{');

    private AdapterResult ReadSingle(string body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in FormEncoding.Parse(body))
        {
            fields.TryAdd(name, value); // the first occurrence wins; the raw body keeps them all
        }

        var item = ReadItem(name => fields.GetValueOrDefault(name), body, out var rejection);
        return item is null ? AdapterResult.Reject(rejection!) : new AdapterResult.Accepted([item], Received);
    }

    private AdapterResult ReadBatch(string body)
    {
        if (JsonBatch.Parse(body, out var refused) is not { } document)
        {
            return refused!;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("statusReportList", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                return AdapterResult.Reject(Rejection.Malformed("A JSON body must be an object whose statusReportList is an array of reports."));
            }

            var count = list.GetArrayLength();
            if (count == 0)
            {
                return AdapterResult.Reject(new Rejection(RejectionReasons.EmptyBatch, "statusReportList holds no reports.", 400));
            }

            if (count > MaxBatch)
            {
                return AdapterResult.Reject(Rejection.Malformed($"statusReportList holds {count} reports; Huawei pushes at most {MaxBatch}."));
            }

            var batch = new BatchItems(isBatch: true);
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    batch.Refuse(index, Rejection.Malformed("The item is not a JSON object."), element.GetRawText());
                }
                else
                {
                    var current = element;
                    var raw = element.GetRawText();
                    batch.Read(index, raw, (out Rejection? rejection) => ReadItem(name => JsonBatch.Text(current, name), raw, out rejection));
                }

                index++;
            }

            return batch.Result(Received);
        }
    }

    /// <summary>Both shapes carry the same fields (SmsStatusBeanOut), so one reader serves both.</summary>
    private CallbackItem? ReadItem(Func<string, string?> field, string rawItem, out Rejection? rejection)
    {
        rejection = null;
        var smsMsgId = field("smsMsgId");
        if (string.IsNullOrWhiteSpace(smsMsgId))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "smsMsgId is required: it identifies the message.", 400);
            return null;
        }

        var status = field("status");
        if (string.IsNullOrWhiteSpace(status))
        {
            rejection = Rejection.Malformed("status is required: a report without it says nothing.");
            return null;
        }

        ProviderTime? time = null;
        var updateTime = field("updateTime");
        if (!string.IsNullOrEmpty(updateTime) && !ProviderTimes.TryParseUtc(updateTime, out time, UpdateTimeFormat))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"updateTime '{updateTime}' is not '{UpdateTimeFormat}' (UTC).", 400);
            return null;
        }

        var (deliveryStatus, final) = Interpret(status);

        // A long SMS is billed per part: `total` is the number of parts ("长短信拆分后的短信条数", 1 when not split).
        var total = PositiveInt(field("total"));

        // Each part of a long SMS gets its own report, `sequence` of `total`: two parts both DELIVRD at the
        // same second are two reports, not a re-push. A message sent whole names no part.
        var part = total > 1 && PositiveInt(field("sequence")) is { } sequence ? new MessagePart(sequence, total.Value) : null;

        var report = new Report(
            deliveryStatus,
            final,
            ProviderStatus: status,
            ErrorCode: deliveryStatus == DeliveryStatus.Delivered ? null : status,
            Description: NullIfEmpty(field("statusDesc")),
            ProviderTime: time,
            Phone: NullIfEmpty(field("to")),      // sent only when `extend` was set at send time
            OutId: NullIfEmpty(field("extend")),  // "扩展参数，在状态报告中会原样返回"
            BilledParts: SmsParts.Bounded(total),
            ParserVersion,
            part);

        return new CallbackItem(smsMsgId, rawItem, report);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? PositiveInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
