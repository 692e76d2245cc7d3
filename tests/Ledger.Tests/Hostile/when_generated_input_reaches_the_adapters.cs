using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Ledger.Providers;
using Xunit.Abstractions;

namespace Ledger.Tests.Hostile;

/// <summary>
/// The generated-input suite, pure part (README "Guarantees"): 100,000 generated requests (<see cref="GeneratedInputs"/>)
/// straight through every provider's adapter, reports and replies routes. Whatever the input, an adapter
/// answers (never throws) with Accepted, Probe or Rejected; a rejection is a 4xx with a reason code and a
/// detail; every accepted item has a message key (every reply an id); and every valid case is accepted,
/// so the hostile ones are not merely refused at the signature. A failure names the case's seed:
/// `GeneratedInputs.Generate(seed, GeneratedClock)` gives the same request again.
/// </summary>
public sealed partial class when_generated_input_reaches_the_adapters(ITestOutputHelper output)
{
    private const int BaseSeed = 17_000_000;
    private const int Cases = 100_000;

    /// <summary>The clock the cases are signed at and the adapters run at, fixed so a seed always gives the same bytes.</summary>
    public static readonly DateTimeOffset GeneratedClock = DateTimeOffset.Parse("2026-11-25T02:40:00Z");

    private enum Outcome { Accepted, Probe, Rejected }

    [Fact]
    public void no_adapter_throws_and_every_answer_is_well_formed_over_100000_generated_cases()
    {
        var catalog = ProviderCatalog.Default();
        var watch = Stopwatch.StartNew();
        var failures = new ConcurrentBag<(int Seed, string Failure)>();
        var counts = new ConcurrentDictionary<(HostileClass, Outcome), int>();
        var routes = new ConcurrentDictionary<string, int>();
        var reasons = new ConcurrentDictionary<string, int>();

        // Each case is independent and deterministic in its seed, so they run on every core (about 10 s on
        // two idle cores; the time is printed, not asserted, as a shared machine can be many times slower).
        Parallel.For(0, Cases, i =>
        {
            var seed = BaseSeed + i;
            var generated = GeneratedInputs.Generate(seed, GeneratedClock);
            var adapter = catalog.Find(generated.Provider)!;
            var account = GeneratedInputs.AccountFor(generated.Provider, generated.Account);
            routes.AddOrUpdate(generated.Provider + (generated.Replies ? "/replies" : ""), 1, (_, n) => n + 1);

            AdapterResult? result;
            try
            {
                result = !generated.Replies ? adapter.Handle(generated.ToRaw(GeneratedClock), account, GeneratedClock)
                    : ((IReplyReader)adapter).HandleReply(generated.ToRaw(GeneratedClock), account, GeneratedClock);
            }
            catch (Exception e)
            {
                failures.Add((seed, $"{generated}: threw {e.GetType().Name}: {e.Message} at {Where(e)}"));
                return;
            }

            foreach (var failure in Check(generated, result))
            {
                failures.Add((seed, $"{generated}: {failure}"));
            }

            var outcome = result switch { AdapterResult.Accepted => Outcome.Accepted, AdapterResult.Probe => Outcome.Probe, _ => Outcome.Rejected };
            counts.AddOrUpdate((generated.Class, outcome), 1, (_, n) => n + 1);
            if (result is AdapterResult.Rejected { Rejection.Reason: var reason })
            {
                reasons.AddOrUpdate(reason ?? "(null)", 1, (_, n) => n + 1);
            }
        });

        watch.Stop();
        output.WriteLine($"{Cases} cases (seeds {BaseSeed}..{BaseSeed + Cases - 1}) in {watch.Elapsed.TotalSeconds:F1} s");
        foreach (var hostile in Enum.GetValues<HostileClass>())
        {
            int Count(Outcome o) => counts.GetValueOrDefault((hostile, o));
            output.WriteLine($"  {hostile,-22} {Count(Outcome.Accepted) + Count(Outcome.Probe) + Count(Outcome.Rejected),6} cases: " +
                $"accepted {Count(Outcome.Accepted)}, probe {Count(Outcome.Probe)}, rejected {Count(Outcome.Rejected)}");
        }

        output.WriteLine("  by route: " + string.Join(", ", routes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")));
        output.WriteLine("  rejections: " + string.Join(", ", reasons.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));

        // One line per kind of failure (what went wrong, where, on which route), with its count and first seed.
        foreach (var kind in failures.OrderBy(f => f.Seed).GroupBy(f => Kind(f.Failure)).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"FAILURE x{kind.Count()}: {kind.First().Failure}");
        }

        failures.ShouldBeEmpty($"{failures.Count} failures; first: {failures.OrderBy(f => f.Seed).FirstOrDefault().Failure}");
        counts.Values.Sum().ShouldBe(Cases);
        routes.Count.ShouldBe(15, "every provider's reports route, and every replies route but the generic provider's (it reads none)");
        Enum.GetValues<HostileClass>().ShouldAllBe(h => counts.Where(kv => kv.Key.Item1 == h).Sum(kv => kv.Value) > 1000);
    }

    /// <summary>What must hold of any answer to a generated case; the broken promises, none when it is well formed.</summary>
    private static IEnumerable<string> Check(GeneratedCase generated, AdapterResult? result)
    {
        switch (result)
        {
            case AdapterResult.Accepted accepted:
                if (accepted.Items.Any(i => string.IsNullOrWhiteSpace(i.MessageKey)))
                {
                    yield return "an accepted item has no message key";
                }

                if (accepted.ReplyItems.Any(r => string.IsNullOrWhiteSpace(r.ReplyId)))
                {
                    yield return "an accepted reply has no id";
                }

                if (generated.Class == HostileClass.Valid && accepted.Items.Count + accepted.ReplyItems.Count == 0)
                {
                    yield return "a valid case was accepted with nothing in it";
                }

                break;
            case AdapterResult.Probe:
                break;
            case AdapterResult.Rejected { Rejection: var rejection }:
                if (rejection.StatusCode is < 400 or > 499 || string.IsNullOrWhiteSpace(rejection.Reason) || string.IsNullOrWhiteSpace(rejection.Detail))
                {
                    yield return $"rejected with {rejection.StatusCode} '{rejection.Reason}' '{rejection.Detail}'";
                }

                if (generated.Class == HostileClass.Valid)
                {
                    yield return $"a valid case was rejected: {rejection.Reason}: {rejection.Detail}";
                }

                break;
            default:
                yield return $"answered {result?.GetType().Name ?? "null"}";
                break;
        }
    }

    private static string Kind(string failure) =>
        Numbers().Replace(failure[(failure.IndexOf(": ", StringComparison.Ordinal) + 2)..].Replace(" bytes", ""), "_");

    [GeneratedRegex(@"'[^']*'|\d+")]
    private static partial Regex Numbers();

    /// <summary>The first frame of the ledger's own code in the exception's trace.</summary>
    private static string Where(Exception e) =>
        e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at Ledger.", StringComparison.Ordinal)) ?? "(no ledger frame)";
}
