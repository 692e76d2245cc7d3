using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Tests.Support;
using Ledger.Web.Messages;
using Ledger.Web.Security;
using Marten;

namespace Ledger.Tests.Storage;

/// <summary>
/// The stored message document leaves out what the entries already hold (the status's details, the
/// fingerprints of the reports seen, the version): a document read back from its JSON must read and fold on
/// exactly as the one the fold kept in memory, after every event of a stream with every kind of report. A
/// document stored by the build before (those members beside the entries, no applying entry) reads the same.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class a_stored_message_document_folds_on_like_the_one_in_memory(LedgerFixture fixture)
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-25T02:32:05Z");
    private static readonly MessageProjection Projection = new(TimeZoneInfo.Utc);
    private static readonly Caller Admin = new("ops", Roles.Admin);
    private const string Key = "tencent:stored-1";

    private static Report Report(DeliveryStatus status, bool final, string providerStatus, string? errorCode, int minute, string raw) => new(
        status, final, providerStatus, errorCode, $"{providerStatus} at {minute}",
        new ProviderTime(raw, At.AddMinutes(minute), "Asia/Shanghai (UTC+8, no zone in the value)"), "13812345678", "order-1", 1, "tencent/1");

    private static ReportReceived Pushed(Report report, int minute, Guid? request = null) =>
        new("default", request ?? Guid.NewGuid(), 0, "{}", At.AddMinutes(minute + 1), report);

    /// <summary>Applied, duplicate, superseded, conflict, a pulled duplicate written differently, a correction, a registration.</summary>
    private static List<object> Stream()
    {
        var first = Guid.NewGuid();
        var failed = Report(DeliveryStatus.Failed, true, "UNDELIV", "E:1", 0, "2026-11-25 10:32:05");
        var delivered = Report(DeliveryStatus.Delivered, true, "DELIVRD", null, 2, "2026-11-25 10:34:05");
        return
        [
            new MessageSubmitted("tencent", "default", "stored-1", "13812345678", At.AddMinutes(-1), 1, "order-1", Guid.NewGuid(), At.AddMinutes(-1)),
            Pushed(Report(DeliveryStatus.Pending, false, "ENROUTE", null, 1, "2026-11-25 10:33:05"), 1),
            Pushed(failed, 0, first),
            Pushed(failed, 3),
            Pushed(Report(DeliveryStatus.Pending, false, "ENROUTE", null, -5, "2026-11-25 10:27:05"), 4),
            Pushed(delivered, 5),
            new ReportReceived("default", Guid.NewGuid(), 0, "{}", At.AddHours(1), delivered with { ProviderTime = delivered.ProviderTime! with { Raw = "1764038045" } },
                ReportSources.Pull),
            Pushed(Report(DeliveryStatus.Failed, true, "EXPIRED", "E:9", 6, "2026-11-25 10:38:05"), 7),
            new InterpretationCorrected(Guid.NewGuid(), first, 0, failed, failed with { ErrorCode = "E:1b", ParserVersion = "tencent/2" }, "tests", At.AddHours(2)),
            Pushed(delivered, 8),
        ];
    }

    private string Stored(Message message) => fixture.Store.Options.Serializer().ToJson(message);

    private Message Read(string json) => fixture.Store.Options.Serializer().FromJson<Message>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));

    private static string Seen(Message m) => JsonSerializer.Serialize(m) + JsonSerializer.Serialize(MessageStatusView.From(m, Admin))
        + JsonSerializer.Serialize(HistoryView.From(m, null)) + m.EffectiveTime?.ToString("O");

    [Fact]
    public void read_back_after_any_event_it_folds_the_rest_to_the_same_document()
    {
        var events = Stream();
        var inMemory = Projection.Fold(Key, events)!;
        // The pulled one and the last re-push; the first re-push no longer repeats the corrected reading.
        inMemory.DuplicateCount.ShouldBe(2);
        inMemory.CorrectedCount.ShouldBe(1);
        inMemory.ConflictCount.ShouldBe(1); // EXPIRED after delivered
        inMemory.Status.ShouldBe(DeliveryStatus.Delivered);
        inMemory.ErrorCode.ShouldBeNull();
        inMemory.ProviderStatus.ShouldBe("DELIVRD");

        for (var cut = 1; cut < events.Count; cut++)
        {
            var before = Projection.Fold(Key, events.Take(cut))!;
            var stored = Read(Stored(before));
            Seen(stored).ShouldBe(Seen(before), $"read back after {cut} events");
            Seen(Projection.Fold(Key, events.Skip(cut), stored)!).ShouldBe(Seen(inMemory), $"folded on after {cut} events");
        }
    }

    [Fact]
    public void the_stored_json_holds_the_status_details_once()
    {
        var json = JsonNode.Parse(Stored(Projection.Fold(Key, Stream())!))!.AsObject();

        json.ContainsKey("AppliedEntry").ShouldBeTrue();
        foreach (var member in new[] { "ProviderStatus", "ErrorCode", "Description", "ReportedAt", "ParserVersion", "EffectiveTime", "Fingerprints", "StreamVersion" })
        {
            json.ContainsKey(member).ShouldBeFalse(member);
        }

        json["Entries"]![1]!["ProviderTime"]!.AsObject().ContainsKey("Rule").ShouldBeFalse();
    }

    [Fact]
    public void a_document_stored_before_reads_and_folds_on_the_same()
    {
        var events = Stream();
        for (var cut = 2; cut < events.Count; cut++)
        {
            var now = Projection.Fold(Key, events.Take(cut))!;
            // The earlier shape: the status's details beside the entries, the fingerprints, the version; no applying entry.
            var earlier = JsonNode.Parse(Stored(now))!.AsObject();
            earlier.Remove("AppliedEntry");
            earlier["ProviderStatus"] = now.ProviderStatus;
            earlier["ErrorCode"] = now.ErrorCode;
            earlier["Description"] = now.Description;
            earlier["ParserVersion"] = now.ParserVersion;
            earlier["Fingerprints"] = new JsonArray("Failed|True|UNDELIV|E:1|2026-11-25 10:32:05");
            earlier["StreamVersion"] = now.StreamVersion;

            var read = Read(earlier.ToJsonString());
            read.AppliedEntry.ShouldBe(now.AppliedEntry, $"after {cut} events");
            Seen(read).ShouldBe(Seen(now), $"after {cut} events");
            Seen(Projection.Fold(Key, events.Skip(cut), read)!).ShouldBe(Seen(Projection.Fold(Key, events)!), $"folded on after {cut} events");
        }
    }
}
