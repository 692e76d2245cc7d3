using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// Histories stored before the history kept a slim state embedded the whole MessageStatus (item
/// interpretations included). Such a document must read back and go on deciding report effects.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class history_documents_of_earlier_builds(LedgerFixture fixture)
{
    // Exactly as an earlier build stored it (Aliyun, one delivered report).
    private const string Stored = """
        {"Id": "aliyun:900002:13812345678", "State": {"Id": "aliyun:900002:13812345678", "Final": true, "OutId": "order-1",
         "Phone": "13812345678", "SentAt": null, "Status": "Delivered", "Account": "default",
         "Position": {"Final": true, "Status": "Delivered", "EffectiveTime": "2026-11-25T02:32:05+00:00"}, "Provider": "aliyun",
         "TimeRule": "Asia/Shanghai (UTC+8, no zone in the value)", "ErrorCode": null, "MessageKey": "900002:13812345678",
         "ReportedAt": "2026-11-25T02:32:05+00:00", "BilledParts": 1, "Description": "用户接收成功", "PhoneDigits": "13812345678",
         "Fingerprints": ["Delivered|True|DELIVERED||2026-11-25 10:32:05"], "CallbackCount": 1, "ConflictCount": 0,
         "EffectiveTime": "2026-11-25T02:32:05+00:00", "ParserVersion": "aliyun/1", "ReportedAtRaw": "2026-11-25 10:32:05",
         "StreamVersion": 2, "CorrectedCount": 0, "DuplicateCount": 0, "LastReceivedAt": "2026-11-26T01:29:37.4473011+00:00",
         "ProviderStatus": "DELIVERED", "FirstReceivedAt": "2026-11-26T01:29:37.4473011+00:00",
         "Interpretations": [{"Report": {"Final": true, "OutId": "order-1", "Phone": "13812345678", "Status": "Delivered", "ErrorCode": null,
           "BilledParts": 1, "Description": "用户接收成功", "Fingerprint": "Delivered|True|DELIVERED||2026-11-25 10:32:05",
           "ProviderTime": {"Raw": "2026-11-25 10:32:05", "Utc": "2026-11-25T02:32:05+00:00", "Rule": "Asia/Shanghai (UTC+8, no zone in the value)"},
           "ParserVersion": "aliyun/1", "ProviderStatus": "DELIVERED"}, "ItemIndex": 0, "RequestId": "01a21578-f1a7-7940-adea-a81f27883d96",
           "ReceivedAt": "2026-11-26T01:29:37.4473011+00:00"}]},
         "Entries": [
          {"Type": "callback_received", "Final": null, "Effect": null, "Status": null, "Version": 1, "ReplayId": null, "ErrorCode": null, "ItemIndex": 0,
           "RequestId": "01a21578-f1a7-7940-adea-a81f27883d96", "GapSeconds": null, "ReceivedAt": "2026-11-26T01:29:37.4473011+00:00",
           "Description": null, "StatusAfter": "Pending", "ProviderTime": null, "ParserVersion": null, "PreviousStatus": null, "ProviderStatus": null},
          {"Type": "report_interpreted", "Final": true, "Effect": "Applied", "Status": "Delivered", "Version": 2, "ReplayId": null, "ErrorCode": null,
           "ItemIndex": null, "RequestId": "01a21578-f1a7-7940-adea-a81f27883d96", "GapSeconds": null, "ReceivedAt": "2026-11-26T01:29:37.4473011+00:00",
           "Description": "用户接收成功", "StatusAfter": "Delivered",
           "ProviderTime": {"Raw": "2026-11-25 10:32:05", "Utc": "2026-11-25T02:32:05+00:00", "Rule": "Asia/Shanghai (UTC+8, no zone in the value)"},
           "ParserVersion": "aliyun/1", "PreviousStatus": null, "ProviderStatus": "DELIVERED"}],
         "Provider": "aliyun", "MessageKey": "900002:13812345678"}
        """;

    [Fact]
    public void an_embedded_status_reads_back_as_the_slim_state_and_decides_the_next_effects()
    {
        var history = fixture.Store.Options.Serializer().FromJson<DeliveryHistory>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Stored)));
        history.State.Status.ShouldBe(DeliveryStatus.Delivered);
        history.State.Final.ShouldBeTrue();
        history.State.StreamVersion.ShouldBe(2);
        history.State.Account.ShouldBe("default");
        history.State.EffectiveTime.ShouldBe(DateTimeOffset.Parse("2026-11-25T02:32:05+00:00"));
        history.State.Fingerprints.ShouldBe(["Delivered|True|DELIVERED||2026-11-25 10:32:05"]);

        var projection = new DeliveryHistoryProjection();
        var again = new Report(DeliveryStatus.Delivered, true, "DELIVERED", null, "用户接收成功",
            new ProviderTime("2026-11-25 10:32:05", DateTimeOffset.Parse("2026-11-25T02:32:05+00:00"), "Asia/Shanghai"), "13812345678", "order-1", 1, "aliyun/1");
        var failed = again with
        {
            Status = DeliveryStatus.Failed,
            ProviderStatus = "UNDELIV",
            ErrorCode = "E1",
            ProviderTime = new ProviderTime("2026-11-25 10:50:05", DateTimeOffset.Parse("2026-11-25T02:50:05+00:00"), "Asia/Shanghai")
        };
        var request = Guid.NewGuid();
        var at = DateTimeOffset.Parse("2026-11-26T02:00:00+00:00");
        history = projection.Apply(new CallbackReceived("aliyun", "default", "900002:13812345678", request, 0, "{}", at), history);
        history = projection.Apply(new ReportInterpreted(request, at, again), history);
        history.Entries[^1].Effect.ShouldBe(ReportEffect.Duplicate);
        history = projection.Apply(new CallbackReceived("aliyun", "default", "900002:13812345678", request, 1, "{}", at), history);
        history = projection.Apply(new ReportInterpreted(request, at, failed), history);
        history.Entries[^1].Effect.ShouldBe(ReportEffect.Conflict);
        history.Entries[^1].StatusAfter.ShouldBe(DeliveryStatus.Delivered);
        history.Entries[^1].Version.ShouldBe(6);
    }
}
