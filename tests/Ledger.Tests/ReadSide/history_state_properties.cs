using FsCheck;
using FsCheck.Fluent;
using Ledger.Events;
using Ledger.Projections;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// The history keeps only a slim state beside its entries (no second copy of the item interpretations):
/// over any sequence of callbacks, duplicates, multi-item requests, registrations, rescues and replay
/// corrections, every entry's status and the history's state must be exactly what MessageStatus says
/// after the same events, and the items read back from the entries are MessageStatus's own.
/// </summary>
public sealed class history_state_properties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-25T02:00:00Z");
    private const string Key = "tencent:prop";

    private enum Op { Callback, TwoItems, Correct, Register, Rescue }

    private static readonly Gen<Report> Reports =
        from status in Gen.Elements(DeliveryStatus.Pending, DeliveryStatus.Delivered, DeliveryStatus.Failed, DeliveryStatus.Unknown)
        from final in Gen.Elements(true, false)
        from minute in Gen.Choose(0, 5)
        from error in Gen.Elements<string?>(null, "E1", "E2")
        from phone in Gen.Elements<string?>(null, "+8613800000000")
        from part in Gen.Elements<MessagePart?>(null, null, new MessagePart(1, 2), new MessagePart(2, 2)) // parts are in the fingerprint
        select new Report(status, final, status.ToString().ToUpperInvariant(), error, "d" + minute,
            minute == 5 ? null : new ProviderTime($"m{minute}", Start.AddMinutes(minute), "test"), phone, null, final ? 1 : null, "tencent/1", part);

    private static readonly Gen<(Op Op, Report A, Report B, int Pick)[]> Sequences =
        (from op in Gen.Elements(Op.Callback, Op.Callback, Op.Callback, Op.TwoItems, Op.Correct, Op.Correct, Op.Register, Op.Rescue)
         from a in Reports
         from b in Reports
         from pick in Gen.Choose(0, 1000)
         select (op, a, b, pick))
            .ArrayOf()
            .Where(ops => ops.Length is > 0 and <= 14);

    private static List<object> Events((Op Op, Report A, Report B, int Pick)[] ops)
    {
        var events = new List<object>();
        var interpreted = new List<(Guid Request, int Index, Report Report)>();
        var clock = Start.AddHours(1);
        foreach (var (op, a, b, pick) in ops)
        {
            clock = clock.AddSeconds(7);
            var request = Guid.NewGuid();
            switch (op)
            {
                case Op.Callback:
                case Op.TwoItems:
                    foreach (var (report, index) in op == Op.TwoItems ? new[] { (a, 0), (b, 1) } : [(a, pick % 3)])
                    {
                        events.Add(new CallbackReceived("tencent", "default", "prop", request, index, "{}", clock));
                        events.Add(new ReportInterpreted(request, clock, report));
                        interpreted.Add((request, index, report));
                    }

                    break;
                case Op.Correct when interpreted.Count > 0:
                    var (item, itemIndex, previous) = interpreted[pick % interpreted.Count];
                    events.Add(new InterpretationCorrected(Guid.NewGuid(), item, itemIndex, previous, a, "test", clock));
                    interpreted[pick % interpreted.Count] = (item, itemIndex, a);
                    break;
                case Op.Register:
                    events.Add(new MessageSubmitted("tencent", pick % 2 == 0 ? "default" : "billing", "prop", null, clock.AddHours(-1), 1, null, request, clock));
                    break;
                case Op.Rescue:
                    events.Add(new CallbackRescued(Guid.NewGuid(), request, "tencent", "default", "prop", clock, "parse_error", "test", clock));
                    break;
            }
        }

        return events;
    }

    [Fact]
    public void every_entry_and_the_state_agree_with_the_status_after_the_same_events()
    {
        Prop.ForAll(Sequences.ToArbitrary(), ops =>
        {
            MessageStatus? status = null;
            DeliveryHistory? history = null;
            foreach (var e in Events(ops))
            {
                status = InlineDocuments.Status(status, Key, e);
                history = InlineDocuments.History(history, Key, e);
                if (status is null)
                {
                    history.ShouldBeNull(); // an event that starts neither (a correction before any callback)
                    continue;
                }

                history.ShouldNotBeNull();
                history.Entries[^1].StatusAfter.ShouldBe(status.Status, $"after {e.GetType().Name}");
                history.Entries[^1].Version.ShouldBe(status.StreamVersion);
                var state = history.State;
                (state.Account, state.Status, state.Final, state.EffectiveTime, state.StreamVersion, state.SentAt)
                    .ShouldBe((status.Account, status.Status, status.Final, status.EffectiveTime, status.StreamVersion, status.SentAt), $"after {e.GetType().Name}");
                state.Fingerprints.ShouldBe(status.Fingerprints);
                DeliveryHistoryProjection.Items(history.Entries).Select(Comparable)
                    .ShouldBe(status.Interpretations.Select(Comparable));
            }

            return true;
        }).Check(Runs);
    }

    /// <summary>An item as the status rules read it (the history does not keep phone, reference or parts).</summary>
    private static string Comparable(ItemInterpretation item) =>
        $"{item.RequestId}/{item.ItemIndex}/{item.ReceivedAt:O}/{item.Report?.Fingerprint}/{item.Report?.ProviderTime?.Utc:O}/{item.Report?.Description}/{item.Report?.ParserVersion}";
}
