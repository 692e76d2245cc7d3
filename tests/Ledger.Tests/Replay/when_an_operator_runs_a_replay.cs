using Ledger.Storage;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsvHelper;
using Ledger.Events;
using Ledger.Replay;
using Ledger.Tests.Support;
using Ledger.Web.Replays;

namespace Ledger.Tests.Replay;

[Collection(ReplayCollection.Name)]
public sealed class when_an_operator_runs_a_replay(ReplayFixture fixture)
{
    /// <summary>An empty write as JSON: with no API key configured a write must say so (a cross-site form cannot).</summary>
    private static StringContent Json() => new("", System.Text.Encoding.UTF8, "application/json");

    private async Task<JsonElement> WaitUntilFinishedAsync(string location)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (status, json) = await fixture.Host.GetJsonAsync(location);
            status.ShouldBe(200);
            if (json.GetProperty("state").GetString() is ReplayStates.Completed or ReplayStates.Failed)
            {
                return json;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the replay did not finish in time");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task a_dry_run_through_the_api_appends_nothing_and_its_csv_parses_back()
    {
        fixture.Adapter.Version = 1;
        var from = DateTimeOffset.UtcNow;
        var keys = Enumerable.Range(0, 4).Select(_ => "d-" + Payloads.NewId()).ToList();
        (await fixture.PostAsync([.. keys.Select(k => BuggyTestAdapter.Item(k, "FAIL"))])).Status.ShouldBe(200);
        fixture.Adapter.Version = 2;

        var client = fixture.Host.Server.CreateClient();
        var response = await client.PostAsJsonAsync("/replays", new { provider = "buggytest", from, dryRun = true });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/replays/{id}");

        var job = await WaitUntilFinishedAsync($"/replays/{id}");
        job.GetProperty("state").GetString().ShouldBe(ReplayStates.Completed);
        job.GetProperty("dryRun").GetBoolean().ShouldBeTrue();
        job.GetProperty("scanned").GetInt64().ShouldBe(1);
        job.GetProperty("corrected").GetInt64().ShouldBe(4);
        job.GetProperty("rescued").GetInt64().ShouldBe(0);
        job.GetProperty("sample").GetArrayLength().ShouldBe(4);
        foreach (var key in keys)
        {
            (await fixture.EventsAsync(key)).OfType<InterpretationCorrected>().ShouldBeEmpty();
        }

        var (jsonStatus, json) = await fixture.Host.GetJsonAsync($"/replays/{id}/differences?format=json");
        jsonStatus.ShouldBe(200);
        json.GetArrayLength().ShouldBe(4);
        json[0].GetProperty("previousStatus").GetString().ShouldBe("delivered");
        json[0].GetProperty("correctedStatus").GetString().ShouldBe("failed");

        var csv = await client.GetAsync($"/replays/{id}/differences?format=csv");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        using var reader = CsvReader.Create(bytes);
        var rows = reader.GetRecords<ReplayDifference>().ToList();
        rows.Select(r => r.MessageKey).Order().ShouldBe(keys.Order());
        rows.ShouldAllBe(r => r.Kind == DifferenceKinds.Corrected && !r.Applied && r.PreviousStatus == "delivered"
            && r.CorrectedStatus == "failed" && r.CorrectedParserVersion == "buggytest/2" && r.ReplayId == id);
    }

    [Fact]
    public async Task an_applied_replay_through_the_api_corrects_and_reports()
    {
        fixture.Adapter.Version = 1;
        var from = DateTimeOffset.UtcNow;
        var key = "a-" + Payloads.NewId();
        (await fixture.PostAsync(BuggyTestAdapter.Item(key, "FAIL"))).Status.ShouldBe(200);
        fixture.Adapter.Version = 2;

        var client = fixture.Host.Server.CreateClient();
        var response = await client.PostAsJsonAsync("/replays", new { provider = "buggytest", from, messageKeys = new[] { key } });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var job = await WaitUntilFinishedAsync(response.Headers.Location!.ToString());

        job.GetProperty("corrected").GetInt64().ShouldBe(1);
        (await fixture.EventsAsync(key)).OfType<InterpretationCorrected>().ShouldHaveSingleItem();
        var (_, message) = await fixture.Host.GetJsonAsync($"/messages/buggytest/{key}");
        message.GetProperty("status").GetString().ShouldBe("failed");
        message.GetProperty("parserVersion").GetString().ShouldBe("buggytest/2");
    }

    [Fact]
    public async Task a_job_that_lost_its_message_shows_as_stalled_and_resumes_from_its_cursor()
    {
        // Running, last updated ten minutes ago, and no message on the queue: what a job looks like after
        // Wolverine parked its message (the database was gone for longer than the retries).
        var job = ReplayJob.Queue(new ReplayOptions { Provider = BuggyTestAdapter.ProviderName, From = DateTimeOffset.UtcNow.AddMinutes(1), DryRun = true },
            "tests", DateTimeOffset.UtcNow.AddMinutes(-10)) with
        { State = ReplayStates.Running, UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(-10) };
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Store(job);
            await session.SaveChangesAsync();
        }

        var (_, stalled) = await fixture.Host.GetJsonAsync($"/replays/{job.Id}");
        stalled.GetProperty("state").GetString().ShouldBe(ReplayStates.Running);
        stalled.GetProperty("stalled").GetBoolean().ShouldBeTrue();

        var client = fixture.Host.Server.CreateClient();
        (await client.PostAsync($"/replays/{job.Id}/resume", Json())).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var done = await WaitUntilFinishedAsync($"/replays/{job.Id}");
        done.GetProperty("state").GetString().ShouldBe(ReplayStates.Completed);
        done.GetProperty("stalled").GetBoolean().ShouldBeFalse();

        (await client.PostAsync($"/replays/{job.Id}/resume", Json())).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await client.PostAsync($"/replays/{Guid.NewGuid()}/resume", Json())).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task bad_options_are_refused_with_a_problem()
    {
        var client = fixture.Host.Server.CreateClient();
        (await client.PostAsJsonAsync("/replays", new { provider = "nosuchsms" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostAsJsonAsync("/replays", new { messageKeys = new[] { "x" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await fixture.Host.GetJsonAsync($"/replays/{Guid.NewGuid()}")).Status.ShouldBe(404);
    }

    [Fact]
    public void the_command_line_takes_the_same_options()
    {
        ReplayCommand.TryParse(["--provider", "Tencent", "--from", "2026-11-01", "--dry-run", "--message-key", "a,b"], out var options, out _, out var error)
            .ShouldBeTrue(error);
        options.Provider.ShouldBe("tencent");
        options.From.ShouldBe(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        options.DryRun.ShouldBeTrue();
        options.MessageKeys.ShouldBe(["a", "b"]);
        ReplayCommand.TryParse(["--bogus"], out _, out _, out error).ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    [Fact]
    public void request_id_ranges_follow_receive_time()
    {
        var t = new DateTimeOffset(2026, 11, 25, 2, 32, 5, 123, TimeSpan.Zero);
        var floor = ReplayRunner.TimeOrderedFloor(t);
        var id = Guid.CreateVersion7(t);
        string.CompareOrdinal(floor.ToString(), id.ToString()).ShouldBeLessThanOrEqualTo(0);
        string.CompareOrdinal(id.ToString(), ReplayRunner.TimeOrderedFloor(t.AddMilliseconds(1)).ToString()).ShouldBeLessThan(0);
        _ = StreamKeys.Message("x", "y");
    }
}
