using System.Text.Json;
using Ledger.Tests.Support;

namespace Ledger.Tests.ReadSide;

[Collection(LedgerCollection.Name)]
public sealed class when_reading_a_message_as_it_stood(LedgerFixture fixture)
{
    [Fact]
    public async Task version_and_asOf_give_exactly_what_the_inline_document_held_after_each_callback()
    {
        var biz = Payloads.NewId();
        const string phone = "13800000201";
        var url = $"/messages/aliyun/{biz}:{phone}";
        string[] pushes =
        [
            Payloads.AliyunItem(biz, phone, success: false, reportTime: "2026-11-25 10:32:05", errCode: "MK:0001"),
            Payloads.AliyunItem(biz, phone, success: false, reportTime: "2026-11-25 10:32:05", errCode: "MK:0001"),
            Payloads.AliyunItem(biz, phone, success: true, reportTime: "2026-11-25 10:33:00"),
            Payloads.AliyunItem(biz, phone, success: false, reportTime: "2026-11-25 10:34:00", errCode: "MK:0002"),
        ];

        var seen = new List<(long Version, DateTimeOffset After, string Document)>();
        foreach (var push in pushes)
        {
            (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(push))).Status.ShouldBe(200);
            var (status, doc) = await fixture.Host.GetJsonAsync(url);
            status.ShouldBe(200);
            seen.Add((doc.GetProperty("version").GetInt64(), DateTimeOffset.UtcNow, doc.GetRawText()));
        }

        seen.Select(s => s.Version).ShouldBe([1L, 2L, 3L, 4L]); // one event per report
        foreach (var (version, after, document) in seen)
        {
            var (byVersion, then) = await fixture.Host.GetJsonAsync($"{url}?version={version}");
            byVersion.ShouldBe(200);
            then.GetRawText().ShouldBe(document, $"version={version}");

            var (byTime, asOf) = await fixture.Host.GetJsonAsync($"{url}?asOf={Uri.EscapeDataString(after.ToString("O"))}");
            byTime.ShouldBe(200);
            asOf.GetRawText().ShouldBe(document, $"asOf after version {version}");
        }
    }

    [Fact]
    public async Task before_the_first_callback_or_beyond_the_last_version_there_is_nothing()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000202", true)))).Status.ShouldBe(200);

        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000202?asOf={Uri.EscapeDataString(before.ToString("O"))}")).Status.ShouldBe(404);
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000202?version=3")).Status.ShouldBe(404);
        var (bad, problem) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000202?version=x");
        bad.ShouldBe(400);
        problem.GetProperty("detail").GetString()!.ShouldContain("version");
    }
}
