using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Time;

namespace Ledger.Providers.Ronglian;

/// <summary>
/// Ronglian / Yuntongxun (容联云通讯) SMS status-report push, `action` SMSArrived: one report per request,
/// `{"Request":{…}}` in JSON or `&lt;Request&gt;…&lt;/Request&gt;` in XML, depending on how the account or app is
/// configured on the Ronglian side. `content` is the smsMessageSid returned by the send API. The official
/// push document was not found; the shape comes from third-party parsers (docs/providers.md
/// section 3) and the vendor REST conventions (http://doc.yuntongxun.com/p/5a533de33b8496dd00dce07c:
/// statusCode "000000" is success). A form-encoded push (`respCode`, `smsMessageSid`) is read by
/// <see cref="RonglianForm"/>. Ronglian signs nothing: protect the account with a URL token and/or an
/// allowlist.
/// </summary>
public sealed class RonglianAdapter : IProviderAdapter, IReplyReader
{
    public string Name => "ronglian";

    public string ParserVersion => "ronglian/1";

    /// <summary>Seen in code that stubs a Ronglian callback; an XML request is answered in XML.</summary>
    public static readonly ProviderReply XmlReceived =
        ProviderReply.Xml("""<?xml version="1.0" encoding="UTF-8"?><Response><statuscode>000000</statuscode></Response>""");

    /// <summary>The REST platform's JSON success envelope, for accounts that push JSON.</summary>
    public static readonly ProviderReply JsonReceived = ProviderReply.Json("""{"statusCode":"000000"}""");

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16 };

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, reply: false);

    /// <summary>An MO push (<see cref="RonglianReplies"/>) on the replies route: same guard, same bodies; a status report there is refused.</summary>
    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now) => Handle(request, account, reply: true);

    private AdapterResult Handle(RawCallback request, ProviderAccount account, bool reply)
    {
        if (UnsignedGuard.Check(request, account) is { } refused)
        {
            return AdapterResult.Reject(refused);
        }

        // The first significant byte decides, whatever Content-Type says: a body that starts with '<'
        // cannot be JSON, and Ronglian's Content-Type for either format is not documented. A form has no
        // such mark, so only there the declared Content-Type decides.
        return RonglianBody.FirstSignificantByte(request.Body) switch
        {
            (byte)'<' => ReadXml(request, account, reply),
            (byte)'{' => ReadJson(request, account, reply),
            null => AdapterResult.Reject(Rejection.Malformed("The body is empty; a Ronglian <Request> (XML), {\"Request\":…} (JSON) or form was expected.")),
            _ when RonglianForm.IsForm(request.ContentType) && !reply => RonglianForm.Read(request, account),
            _ => AdapterResult.Reject(Rejection.Malformed(
                $"The body is neither XML nor JSON: it must start with '<' or '{{', or be declared {RonglianForm.ContentType}.")),
        };
    }

    private AdapterResult ReadJson(RawCallback request, ProviderAccount account, bool reply)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(RonglianBody.Text(request, account, xml: false), JsonOptions);
        }
        catch (JsonException e)
        {
            return AdapterResult.Reject(Rejection.Malformed($"The body is not valid JSON: {e.Message}"));
        }

        using (document)
        {
            JsonElement? envelope = null;
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (string.Equals(property.Name, "Request", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        envelope = property.Value;
                        break;
                    }
                }
            }

            if (envelope is not { } r)
            {
                return AdapterResult.Reject(Rejection.Malformed("The body must be a JSON object with a \"Request\" object inside."));
            }

            return Interpret(name => JsonBatch.Text(r, name), r.GetRawText(), JsonReceived, reply);
        }
    }

    private AdapterResult ReadXml(RawCallback request, ProviderAccount account, bool reply)
    {
        var parsed = RonglianXml.Parse(RonglianBody.Text(request, account, xml: true));
        if (parsed.Error is { } error)
        {
            return AdapterResult.Reject(Rejection.Malformed(error));
        }

        return Interpret(parsed.Field, parsed.RawItem, XmlReceived, reply);
    }

    private AdapterResult Interpret(Func<string, string?> field, string rawItem, ProviderReply reply, bool replyRoute)
    {
        // smsType 1 is a status report; anything else is an MO (上行) message (the GetArrived API: "0:上行短信数据"),
        // read as a reply in a stream of its own. An MO's `content` is the text the user sent, not a message
        // id, so it never becomes a message key.
        var smsType = field("smsType")?.Trim();
        if (!string.IsNullOrEmpty(smsType) && smsType != "1")
        {
            return RonglianReplies.Read(field, rawItem, reply);
        }

        if (replyRoute)
        {
            return AdapterResult.Reject(ReplyRejections.Unknown(
                $"This is not a Ronglian MO push: smsType is '{smsType}' (1 is a status report; push those to the status route)."));
        }

        // Another action is acknowledged and its raw request kept, but it is not a status: no message stream.
        var action = field("action")?.Trim();
        if (!string.IsNullOrEmpty(action) && !string.Equals(action, "SMSArrived", StringComparison.OrdinalIgnoreCase))
        {
            return new AdapterResult.Accepted([], reply);
        }

        var sid = field("content")?.Trim();
        if (string.IsNullOrEmpty(sid))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.MissingId,
                "content is required: it is the smsMessageSid that identifies the message.", 400));
        }

        ProviderTime? time = null;
        var recvTime = field("recvTime");
        if (!string.IsNullOrWhiteSpace(recvTime) && !ProviderTimes.TryParseBeijing(recvTime, out time))
        {
            return AdapterResult.Reject(new Rejection(RejectionReasons.BadTime, $"recvTime '{recvTime}' is not 'yyyyMMddHHmmss'.", 400));
        }

        // status "0" is success and anything else a failure; deliverCode is the carrier's stat, kept as sent.
        // A report with no status at all says nothing yet, so it stays non-final.
        var statusCode = field("status")?.Trim();
        var (status, final) = statusCode switch
        {
            null or "" => (DeliveryStatus.Unknown, false),
            "0" => (DeliveryStatus.Delivered, true),
            _ => (DeliveryStatus.Failed, true),
        };

        var deliverCode = field("deliverCode") is { Length: > 0 } code ? code : null;
        var report = new Report(
            status,
            final,
            ProviderStatus: deliverCode,
            ErrorCode: status == DeliveryStatus.Delivered ? null : deliverCode,
            Description: null,
            ProviderTime: time,
            Phone: field("fromNum") is { Length: > 0 } phone ? phone : null,
            OutId: field("reqId") is { Length: > 0 } reqId ? reqId : null,
            BilledParts: SmsParts.Bounded(int.TryParse(field("smsCount"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parts) ? parts : null),
            ParserVersion);

        return new AdapterResult.Accepted([new CallbackItem(sid, rawItem, report)], reply);
    }
}
