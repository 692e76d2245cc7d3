using System.Text;
using Ledger.Tests.Support;

namespace Ledger.Tests.Hostile;

/// <summary>
/// A value PostgreSQL cannot hold (U+0000) in a report: the report is still recorded and acknowledged, its
/// reading with the offending characters replaced (U+FFFD) and the replacement noted, the raw request byte for
/// byte as received. Before, this was a 500 and nothing stored. A lone surrogate escape (`\ud800`, valid JSON
/// text that PostgreSQL's jsonb refuses) is read as U+FFFD the same way.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_report_carries_text_postgresql_cannot_hold(LedgerFixture fixture)
{
    [Theory]
    [InlineData("\\u0000")]
    [InlineData("a\\u0000b\\u0000")]
    public async Task it_is_recorded_with_the_characters_replaced_and_the_raw_request_kept_whole(string escaped)
    {
        var biz = Payloads.NewId();
        var item = Payloads.AliyunItem(biz, "13800000701", success: false, errCode: "MK:0001").Replace("用户接收失败", "失败" + escaped);
        var body = Payloads.Array(item);

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/aliyun", body);
        status.ShouldBe(200, reply);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000701");
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("description").GetString()!.ShouldStartWith("失败");
        view.GetProperty("description").GetString()!.ShouldContain("\uFFFD");

        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000701/history");
        var entry = history.GetProperty("events")[0];
        var (_, request) = await fixture.Host.GetJsonAsync($"/requests/{entry.GetProperty("requestId").GetGuid()}", LedgerApi.AdminKey);
        Encoding.UTF8.GetString(Convert.FromBase64String(request.GetProperty("bodyBase64").GetString()!)).ShouldBe(body);

        // The same NUL in the message key itself: still recorded, under the key with the character replaced.
        var keyed = Payloads.Array(Payloads.AliyunItem(biz + escaped, "13800000702", success: true));
        (await fixture.Host.PostAsync("/callbacks/aliyun", keyed)).Status.ShouldBe(200);
        var (found, _) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString(biz + escaped.Replace("\\u0000", "\uFFFD"))}:13800000702");
        found.ShouldBe(200);
    }

    [Fact]
    public async Task a_lone_surrogate_is_read_as_the_replacement_character_and_the_raw_request_kept_whole()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(Payloads.AliyunItem(biz, "13800000703", success: false).Replace("用户接收失败", "失败\\ud800"));

        var (status, reply, _) = await fixture.Host.PostAsync("/callbacks/aliyun", body);

        status.ShouldBe(200, reply);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000703");
        view.GetProperty("description").GetString().ShouldBe("失败\uFFFD");
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000703/history");
        var (_, request) = await fixture.Host.GetJsonAsync($"/requests/{history.GetProperty("events")[0].GetProperty("requestId").GetGuid()}", LedgerApi.AdminKey);
        Encoding.UTF8.GetString(Convert.FromBase64String(request.GetProperty("bodyBase64").GetString()!)).ShouldBe(body);
    }
}
