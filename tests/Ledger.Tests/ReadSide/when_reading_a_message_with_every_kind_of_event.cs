using System.Text;
using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Tests.Support;
using Ledger.Web.Security;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// A message whose stream holds every kind of event (a sent registration, a rescue from quarantine,
/// reports applied, duplicated, superseded and in conflict, a replay's correction): the history and
/// status endpoints answer, byte for byte, the view records serialized from the documents the
/// projections wrote, the phone masked for support and whole for admin.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_reading_a_message_with_every_kind_of_event(LedgerFixture fixture)
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-25T02:32:05.1234567+00:00");

    [Fact]
    public async Task the_endpoints_answer_the_serialized_views_byte_for_byte()
    {
        var key = $"every-{Payloads.NewId()}";
        await AppendEveryKindOfEventAsync(key);

        var web = fixture.Host.Services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        await using var session = fixture.Store.QuerySession();
        var history = await session.LoadAsync<Message>(StreamKeys.Message("tencent", key));
        var status = history;
        history!.Entries.Select(e => e.Type).Distinct().Count().ShouldBe(6);
        history.Entries.Where(e => e.Effect is not null).Select(e => e.Effect!.Value).Distinct().Count().ShouldBe(4);

        var historyView = Web.Messages.HistoryView.From(history, null);
        var (historyStatus, historyBody, historyType) = await fixture.Host.GetRawAsync($"/messages/Tencent/{key}/history", LedgerApi.SupportKey);
        historyStatus.ShouldBe(200);
        historyType.ShouldBe("application/json; charset=utf-8");
        historyBody.ShouldBe(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(historyView, web)));

        var (_, supportBody, _) = await fixture.Host.GetRawAsync($"/messages/tencent/{key}", LedgerApi.SupportKey);
        supportBody.ShouldBe(JsonSerializer.Serialize(Web.Messages.MessageStatusView.From(status!, new Caller("helpdesk", Roles.Support)), web));
        supportBody.ShouldContain("\"phone\":\"138****5678\"");
        var (_, adminBody, _) = await fixture.Host.GetRawAsync($"/messages/tencent/{key}", LedgerApi.AdminKey);
        adminBody.ShouldBe(JsonSerializer.Serialize(Web.Messages.MessageStatusView.From(status!, new Caller("ops", Roles.Admin)), web));
        adminBody.ShouldContain("\"phone\":\"13812345678\"");
    }

    [Fact]
    public async Task without_a_key_of_the_right_role_nothing_is_read()
    {
        var key = $"every-{Payloads.NewId()}";
        await AppendEveryKindOfEventAsync(key);

        (await fixture.Host.GetRawAsync($"/messages/tencent/{key}/history", apiKey: null)).Status.ShouldBe(401);
        (await fixture.Host.GetRawAsync($"/messages/tencent/{key}", LedgerApi.FinanceKey)).Status.ShouldBe(403);
        (await fixture.Host.GetRawAsync($"/messages/tencent/{key}", "not-a-key")).Status.ShouldBe(401);
    }

    private async Task AppendEveryKindOfEventAsync(string key)
    {
        var replay = Guid.NewGuid();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var third = Guid.NewGuid();
        var failed = Report(DeliveryStatus.Failed, "UNDELIV", "E:1", "用户接收失败 \"quoted\" <b>", 0);
        var delivered = Report(DeliveryStatus.Delivered, "DELIVRD", null, "用户短信送达成功", 1);
        var intermediate = Report(DeliveryStatus.Pending, "ENROUTE", null, null, -1) with { Final = false };
        var late = Report(DeliveryStatus.Failed, "UNDELIV", "E:2", "after delivered", 2);
        var stream = StreamKeys.Message("tencent", key);
        await using var session = fixture.Store.LightweightSession();
        session.Events.Append(stream,
            new MessageSubmitted("tencent", "default", key, "13812345678", At.AddMinutes(-1), 2, "order-7", Guid.NewGuid(), At.AddMinutes(-1)),
            new CallbackRescued(replay, first, "tencent", "default", key, At, "signature_mismatch", "tests", At.AddHours(1)),
            new CallbackReceived("tencent", "default", key, first, 0, "{}", At),
            new ReportInterpreted(first, At, failed),
            new CallbackReceived("tencent", "default", key, second, 0, "{}", At.AddSeconds(1.5)),
            new ReportInterpreted(second, At.AddSeconds(1.5), failed),
            new CallbackReceived("tencent", "default", key, second, 1, "{}", At.AddSeconds(2)),
            new ReportInterpreted(second, At.AddSeconds(2), delivered),
            new CallbackReceived("tencent", "default", key, third, 0, "{}", At.AddMinutes(3)),
            new ReportInterpreted(third, At.AddMinutes(3), intermediate),
            new ReportInterpreted(third, At.AddMinutes(3), late),
            // Since one event per report: the raw item and its reading together, beside the older pairs.
            new ReportReceived("default", Guid.NewGuid(), 0, "{}", At.AddMinutes(4), late with { ErrorCode = "E:3" }),
            new InterpretationCorrected(replay, first, 0, failed, failed with { ErrorCode = "E:1b", ParserVersion = "tencent/2" }, "tests", At.AddHours(2)));
        await session.SaveChangesAsync();
    }

    private static Report Report(DeliveryStatus status, string providerStatus, string? errorCode, string? description, int minute) => new(
        status, true, providerStatus, errorCode, description,
        new ProviderTime($"2026-11-25 10:{32 + minute:D2}:05", At.AddMinutes(minute), "Asia/Shanghai (UTC+8, no zone in the value)"),
        "13812345678", "order-7", 1, "tencent/1");
}
