using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Time;

namespace Ledger.Tests.Replay;

/// <summary>
/// A provider that exists only in the replay tests' host, with a parser bug and its fix. Items are
/// `{"id","status","errmsg","time"}`. Version 1 reads `FAIL` with errmsg `DELIVRD` as delivered (the
/// bug) and refuses `EXPIRED` as malformed; version 2 reads both as failed. Switch <see cref="Version"/>
/// to "deploy the fix".
/// <para>
/// It pushes replies too (`/callbacks/buggytest/replies`), items `{"id","phone","text","time"}` with a bug of
/// their own: version 1 reads `time` as UTC (it is Beijing time) and does not know `msg`, the field a later
/// shape carries the text in, so such a push is quarantined as an unknown shape; version 2 reads both right.
/// </para>
/// </summary>
public sealed class BuggyTestAdapter : IProviderAdapter, IReplyReader
{
    public const string ProviderName = "buggytest";

    public static readonly ProviderReply Ok = ProviderReply.Json("""{"ok":true}""");

    public int Version { get; set; } = 1;

    public string Name => ProviderName;

    public string ParserVersion => $"{ProviderName}/{Version}";

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now) =>
        JsonBatch.Read(request, account, ReadItem, Ok);

    private CallbackItem? ReadItem(JsonElement item, out Rejection? rejection)
    {
        rejection = null;
        var id = JsonBatch.Text(item, "id");
        if (string.IsNullOrEmpty(id))
        {
            rejection = new Rejection(RejectionReasons.MissingId, "id is required.", 400);
            return null;
        }

        ProviderTime? time = null;
        if (JsonBatch.Text(item, "time") is { } raw && !ProviderTimes.TryParseBeijing(raw, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime, $"time '{raw}' is not Beijing time.", 400);
            return null;
        }

        var status = JsonBatch.Text(item, "status");
        var errmsg = JsonBatch.Text(item, "errmsg");
        DeliveryStatus? read = (status, Version) switch
        {
            ("SUCCESS", _) => DeliveryStatus.Delivered,
            ("FAIL", 1) when errmsg == "DELIVRD" => DeliveryStatus.Delivered, // the bug: errmsg looked at, status ignored
            ("FAIL", _) => DeliveryStatus.Failed,
            ("EXPIRED", >= 2) => DeliveryStatus.Failed,
            _ => null,
        };
        if (read is null)
        {
            rejection = Rejection.Malformed($"status '{status}' is unknown.");
            return null;
        }

        return new CallbackItem(id, item.GetRawText(),
            new Report(read.Value, true, status, errmsg, null, time, null, null, null, ParserVersion));
    }

    public AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Body);
        }
        catch (JsonException e)
        {
            return AdapterResult.Reject(Rejection.Malformed($"The body is not JSON: {e.Message}"));
        }

        using (document)
        {
            return ReplyBatch.Read(document.RootElement, ReadReply, Ok);
        }
    }

    private ReplyItem? ReadReply(JsonElement item, out Rejection? rejection)
    {
        rejection = null;
        var id = ReplyBatch.Text(item, "id");
        var text = ReplyBatch.Text(item, "text") ?? (Version >= 2 ? ReplyBatch.Text(item, "msg") : null);
        if (id is null || text is null)
        {
            rejection = ReplyRejections.Unknown("A reply needs id and text.");
            return null;
        }

        ProviderTime? time = null;
        if (ReplyBatch.Text(item, "time") is { } raw)
        {
            if (Version >= 2)
            {
                if (!ProviderTimes.TryParseBeijing(raw, out time))
                {
                    rejection = new Rejection(RejectionReasons.BadTime, $"time '{raw}' is not Beijing time.", 400);
                    return null;
                }
            }
            else
            {
                // The bug: Beijing wall-clock time read as UTC.
                var utc = DateTime.ParseExact(raw, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
                time = new ProviderTime(raw, new DateTimeOffset(utc, TimeSpan.Zero), "utc");
            }
        }

        return new ReplyItem(id, item.GetRawText(), ReplyBatch.Text(item, "phone"), text, time, null, null, ParserVersion);
    }

    public static string Reply(string id, string text, string time = "2026-11-25 10:40:00", string textField = "text") =>
        $$"""{"id":"{{id}}","phone":"13800138000","{{textField}}":"{{text}}","time":"{{time}}"}""";

    public static string Item(string id, string status, string errmsg = "DELIVRD", string time = "2026-11-25 10:32:04") =>
        $$"""{"id":"{{id}}","status":"{{status}}","errmsg":"{{errmsg}}","time":"{{time}}"}""";
}
