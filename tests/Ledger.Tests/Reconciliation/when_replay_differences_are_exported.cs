using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsvHelper;
using Ledger.Replay;
using Ledger.Tests.Replay;
using Ledger.Tests.Support;

namespace Ledger.Tests.Reconciliation;

/// <summary>The replay differences CSV is reviewed in a spreadsheet too: its text cells are escaped like finance's.</summary>
[Collection(ReplayCollection.Name)]
public sealed class when_replay_differences_are_exported(ReplayFixture fixture)
{
    [Fact]
    public async Task a_message_key_and_error_code_that_are_formulas_are_written_as_text()
    {
        fixture.Adapter.Version = 1;
        var from = DateTimeOffset.UtcNow;
        var key = "=HYPERLINK(\"http://evil.example/\",\"Refund\")-" + Payloads.NewId();
        const string errmsg = "DELIVRD";
        var item = JsonSerializer.Serialize(new { id = key, status = "FAIL", errmsg, time = "2026-11-25 10:32:04" });
        (await fixture.PostAsync(item)).Status.ShouldBe(200);
        fixture.Adapter.Version = 2;

        var client = fixture.Host.Server.CreateClient();
        using var response = await client.PostAsJsonAsync("/replays", new { provider = BuggyTestAdapter.ProviderName, from, messageKeys = new[] { key }, dryRun = true });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await fixture.Host.GetJsonAsync($"/replays/{id}")).Json.GetProperty("state").GetString() is not (ReplayStates.Completed or ReplayStates.Failed))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the replay did not finish in time");
            await Task.Delay(100);
        }

        var bytes = await client.GetByteArrayAsync($"/replays/{id}/differences?format=csv");
        using var reader = CsvReader.Create(bytes);
        var row = reader.GetRecords<ReplayDifference>().Single();
        row.MessageKey.ShouldBe("'" + key);
        row.ItemIndex.ShouldBe(0, "numbers are written as numbers");
        row.PreviousStatus.ShouldBe("delivered");
    }
}
