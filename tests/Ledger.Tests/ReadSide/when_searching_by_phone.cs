using Ledger.Tests.Support;
using Ledger.Web.Messages;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// Support types a number the way the customer said it; providers stored it their way (Tencent with the
/// country code, Aliyun's domestic reports without). Every spelling of the number finds both.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_searching_by_phone(LedgerFixture fixture)
{
    [Fact]
    public async Task any_spelling_of_the_number_finds_the_messages_of_every_provider()
    {
        var mobile = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var biz = Payloads.NewId();
        var sid = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, mobile, true)))).Status.ShouldBe(200);
        var tencent = $$"""[{"user_receive_time":"2026-11-25 10:32:04","nationcode":"86","mobile":"{{mobile}}","report_status":"SUCCESS","errmsg":"DELIVRD","sid":"{{sid}}"}]""";
        (await fixture.Host.PostAsync("/callbacks/tencent", tencent)).Status.ShouldBe(200);
        // Support sees the phone inside an Alibaba key masked, as in the phone field.
        var both = new[] { $"aliyun:{biz}:{mobile[..3]}****{mobile[7..]}", $"tencent:{sid}" };

        foreach (var typed in new[] { mobile, $"+86 {mobile[..3]} {mobile[3..7]} {mobile[7..]}", "86" + mobile, "0086" + mobile })
        {
            (await FoundAsync(typed)).ShouldBe(both, ignoreOrder: true, customMessage: typed);
        }

        (await FoundAsync(mobile[1..])).ShouldBeEmpty("a shorter number is another number, not a suffix match");
    }

    [Fact]
    public void the_candidates_are_the_ways_a_number_is_written_and_only_those()
    {
        PhoneSearch.Candidates("+1 (650) 253-0000", "CN").ShouldBe(["16502530000", "0016502530000", "6502530000"], ignoreOrder: true);
        PhoneSearch.Candidates("020 7946 0018", "GB").ShouldBe(["02079460018", "442079460018", "00442079460018", "2079460018"], ignoreOrder: true);
        PhoneSearch.Candidates("12345", "CN").ShouldBe(["12345"]); // not a valid number: its digits, exactly
        PhoneSearch.Candidates("no digits", "CN").ShouldBeEmpty();
    }

    private async Task<string[]> FoundAsync(string typed)
    {
        var (status, page) = await fixture.Host.GetJsonAsync($"/messages?phone={Uri.EscapeDataString(typed)}");
        status.ShouldBe(200);
        return [.. page.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("provider").GetString()}:{i.GetProperty("messageKey").GetString()}")];
    }
}
