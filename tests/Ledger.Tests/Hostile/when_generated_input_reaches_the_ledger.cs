using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Alba;
using Ledger.Ingest;
using Ledger.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ledger.Tests.Hostile;

/// <summary>
/// The generated-input suite through the real pipeline (README "Guarantees"): 5,000 generated requests
/// (<see cref="GeneratedInputs"/>: valid reports and replies, signed correctly where the case is meant to
/// pass, and every hostile class) from concurrent senders into one service instance over HTTP and
/// PostgreSQL. No answer is a 5xx; every request is on record (its raw record, accepted or quarantined,
/// and a refused one under the `requestId` its problem names); every accepted item is readable through
/// `GET /messages/{provider}/{key}` (a reply through `GET /replies/{provider}/{id}`). The host has a schema
/// of its own, so every raw record in it is one of these requests. A failure names the case's seed and
/// the run's tag: `GeneratedInputs.Generate(seed, now, tag, MaxItems)` gives the request again.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_generated_input_reaches_the_ledger(LedgerFixture fixture, ITestOutputHelper output)
{
    private const int BaseSeed = 27_000_000;
    private const int Cases = 5_000;
    private const int Senders = 8;
    private const int MaxItems = 1_000;

    /// <summary>Each request carries its seed here, so its raw record names its case.</summary>
    private const string CaseHeader = "X-Fuzz-Case";

    private sealed record Answer(GeneratedCase Case, int Status, Guid? RequestId, string Body);

    [Fact]
    public async Task five_thousand_generated_requests_get_no_5xx_are_all_on_record_and_every_accepted_item_is_readable()
    {
        var settings = TestAccounts.Load();
        settings["Ledger:RateLimit:PerSourcePerSecond"] = "0"; // one test source sends everything: the limit is not under test here
        var schema = "fz" + Payloads.NewId()[..10];
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, schema, settings);
        var tag = schema[2..8];
        var now = DateTimeOffset.UtcNow;
        var client = host.Server.CreateClient();
        var answers = new ConcurrentBag<Answer>();
        var failures = new ConcurrentBag<string>();
        var watch = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(BaseSeed, Cases), new ParallelOptions { MaxDegreeOfParallelism = Senders }, async (seed, ct) =>
        {
            var generated = GeneratedInputs.Generate(seed, now, tag, MaxItems);
            using var request = Request(generated);
            using var response = await client.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            Guid? requestId = null;
            if (status >= 400)
            {
                requestId = ProblemRequestId(body);
            }

            answers.Add(new Answer(generated, status, requestId, body));
            if (status >= 500)
            {
                failures.Add($"tag {tag} {generated}: answered {status}: {Shorten(body)}");
            }
        });
        var sending = watch.Elapsed;

        // Every request on record: exactly one raw record per case, its outcome matching the answer.
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var records = await session.Query<RawRequestRecord>()
            .Select(r => new RecordSummary { Id = r.Id, Provider = r.Provider, Outcome = r.Outcome, Reason = r.Reason, Headers = r.Headers, Streams = r.Streams, ItemCount = r.ItemCount })
            .ToListAsync();
        var bySeed = records
            .Select(r => (Record: r, Seed: r.Headers.FirstOrDefault(h => h.Name.Equals(CaseHeader, StringComparison.OrdinalIgnoreCase))?.Value))
            .GroupBy(x => x.Seed ?? "(none)")
            .ToDictionary(g => g.Key, g => g.Select(x => x.Record).ToList());
        var readable = new List<(Answer Answer, string Stream)>();
        foreach (var answer in answers)
        {
            var found = bySeed.GetValueOrDefault(answer.Case.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? [];
            if (answer.Status >= 500)
            {
                continue; // counted above
            }

            if (found.Count != 1)
            {
                failures.Add($"tag {tag} {answer.Case}: answered {answer.Status}, {found.Count} raw records (lost)");
                continue;
            }

            var record = found[0];
            if (answer.Status is >= 200 and < 300)
            {
                if (record.Outcome is not (RequestOutcomes.Accepted or RequestOutcomes.Probe))
                {
                    failures.Add($"tag {tag} {answer.Case}: answered {answer.Status} but its record is {record.Outcome} ({record.Reason})");
                }

                readable.AddRange(record.Streams.Select(s => (answer, s)));
                if (record.Outcome == RequestOutcomes.Accepted && record.Streams.Count == 0 && answer.Case.Class == HostileClass.Valid)
                {
                    failures.Add($"tag {tag} {answer.Case}: a valid case accepted with no stream");
                }
            }
            else if (record.Outcome != RequestOutcomes.Quarantined || answer.RequestId != record.Id || string.IsNullOrEmpty(record.Reason))
            {
                failures.Add($"tag {tag} {answer.Case}: answered {answer.Status} (requestId {answer.RequestId}) but its record {record.Id} is {record.Outcome} ({record.Reason})");
            }

            if (answer.Case.Class == HostileClass.Valid && answer.Status != 200)
            {
                failures.Add($"tag {tag} {answer.Case}: a valid case answered {answer.Status}: {Shorten(answer.Body)}");
            }
        }

        var strays = records.Count - answers.Count(a => a.Status < 500);
        if (bySeed.ContainsKey("(none)"))
        {
            failures.Add($"{bySeed["(none)"].Count} raw records name no case");
        }

        // Every accepted item readable through the read API; a key holding a `/` cannot be named in a route
        // segment (the test server splits `%2F`, Kestrel leaves it encoded in the route value), so its
        // stream's document is read from the store instead, and counted apart.
        var unreadable = new ConcurrentBag<string>();
        var slashed = readable.Where(r => r.Stream.Contains('/')).ToList();
        var documents = await session.LoadManyAsync<Ledger.Projections.Message>(slashed.Where(s => !s.Stream.Contains(":reply:")).Select(s => s.Stream).ToArray());
        var replies = await session.LoadManyAsync<Ledger.Projections.Reply>(slashed.Where(s => s.Stream.Contains(":reply:")).Select(s => s.Stream).ToArray());
        foreach (var item in slashed.Where(s => !documents.Any(d => d.Id == s.Stream) && !replies.Any(r => r.Id == s.Stream)))
        {
            unreadable.Add($"tag {tag} {item.Answer.Case}: accepted stream '{Shorten(item.Stream)}' has no document");
        }

        await Parallel.ForEachAsync(readable.Where(r => !r.Stream.Contains('/')), new ParallelOptions { MaxDegreeOfParallelism = Senders }, async (item, _) =>
        {
            var (provider, key) = (item.Stream[..item.Stream.IndexOf(':')], item.Stream[(item.Stream.IndexOf(':') + 1)..]);
            var url = key.StartsWith("reply:", StringComparison.Ordinal)
                ? $"/replies/{provider}/{Uri.EscapeDataString(key["reply:".Length..])}"
                : $"/messages/{provider}/{Uri.EscapeDataString(key)}";
            var (status, _, _) = await host.GetRawAsync(url, LedgerApi.SupportKey);
            if (status != 200)
            {
                unreadable.Add($"tag {tag} {item.Answer.Case}: accepted stream '{Shorten(item.Stream)}' answers {status} at {Shorten(url)}");
            }
        });
        foreach (var line in unreadable.Take(50))
        {
            failures.Add(line);
        }
        watch.Stop();

        output.WriteLine($"{Cases} requests (seeds {BaseSeed}..{BaseSeed + Cases - 1}, tag {tag}) by {Senders} senders: sent in {sending.TotalSeconds:F1} s, " +
            $"checked in {(watch.Elapsed - sending).TotalSeconds:F1} s; {records.Count} raw records, {readable.Count} accepted streams read back " +
            $"({slashed.Count} of them, keys holding '/', from the store), {unreadable.Count} unreadable");
        foreach (var group in answers.GroupBy(a => a.Case.Class).OrderBy(g => g.Key))
        {
            output.WriteLine($"  {group.Key,-22} {group.Count(),5} requests: 2xx {group.Count(a => a.Status < 300)}, 4xx {group.Count(a => a.Status is >= 400 and < 500)}, 5xx {group.Count(a => a.Status >= 500)}");
        }

        output.WriteLine("  statuses: " + string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        output.WriteLine("  by route: " + string.Join(", ", answers.GroupBy(a => a.Case.Provider + (a.Case.Replies ? "/replies" : "")).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        foreach (var failure in failures.Take(40))
        {
            output.WriteLine("FAILURE " + failure);
        }

        answers.Count.ShouldBe(Cases);
        failures.ShouldBeEmpty($"{failures.Count} failures; first: {failures.FirstOrDefault()}");
        strays.ShouldBe(0, "every raw record is one of the requests sent");
        answers.Count(a => a.Status == 200).ShouldBeGreaterThan(Cases / 3);
        readable.Count.ShouldBeGreaterThan(Cases / 3);
    }

    /// <summary>A raw record without its body (the bodies of 5,000 hostile requests need not be read back).</summary>
    public sealed class RecordSummary
    {
        public Guid Id { get; set; }
        public string Provider { get; set; } = "";
        public string Outcome { get; set; } = "";
        public string? Reason { get; set; }
        public IReadOnlyList<HeaderEntry> Headers { get; set; } = [];
        public IReadOnlyList<string> Streams { get; set; } = [];
        public int ItemCount { get; set; }
    }

    private static HttpRequestMessage Request(GeneratedCase generated)
    {
        var request = new HttpRequestMessage(new HttpMethod(generated.Method), GeneratedInputs.BaseUrl + generated.PathAndQuery);
        if (generated.Method != "GET" || generated.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(generated.Body);
        }

        foreach (var header in generated.Headers)
        {
            if (header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
            else if (!header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }

        request.Headers.TryAddWithoutValidation(CaseHeader, generated.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return request;
    }

    private static Guid? ProblemRequestId(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("requestId", out var id) && id.TryGetGuid(out var guid) ? guid : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"… ({text.Length} chars)";
}
