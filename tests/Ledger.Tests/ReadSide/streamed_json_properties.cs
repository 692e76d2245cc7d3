using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using Ledger.Tests.Support;
using Ledger.Web.Messages;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// The read endpoints write their JSON straight from the stored document's JSON (HistoryJson,
/// MessageStatusJson). For any stored document, with any strings (escapes, Chinese, emoji, control
/// characters), numbers, instants and offsets, with properties missing (documents older than a
/// property) and after PostgreSQL's jsonb has reordered and reformatted it, the bytes equal what the
/// endpoints answered before: Marten's object, the view record, `Results.Json`.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class streamed_json_properties(LedgerFixture fixture)
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    private ISerializer Marten => fixture.Store.Options.Serializer();

    private JsonSerializerOptions Web => fixture.Host.Services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;

    private static readonly JsonFromDocument.Transform WithPhone = (d, w) => MessageStatusJson.Write(d, w, showPhone: true);
    private static readonly JsonFromDocument.Transform WithMaskedPhone = (d, w) => MessageStatusJson.Write(d, w, showPhone: false);

    [Fact]
    public void the_streamed_history_is_the_serialized_view_byte_for_byte()
    {
        Prop.ForAll(Histories.ToArbitrary(), history =>
        {
            var stored = Encoding.UTF8.GetBytes(Marten.ToJson(history));
            return SameHistory(stored);
        }).Check(Runs);
    }

    [Fact]
    public void the_streamed_status_is_the_serialized_view_byte_for_byte_phone_masked_for_support_and_whole_for_admin()
    {
        Prop.ForAll(Statuses.ToArbitrary(), status =>
        {
            var stored = Encoding.UTF8.GetBytes(Marten.ToJson(status));
            return SameStatus(stored);
        }).Check(Runs);
    }

    [Fact]
    public void a_document_stored_before_a_property_existed_reads_as_the_record_default()
    {
        var histories = Gen.Zip(Histories, Gen.Choose(0, int.MaxValue)).Select(c => Without(Marten.ToJson(c.Item1), c.Item2));
        Prop.ForAll(histories.ToArbitrary(), SameHistory).Check(Runs);
        var statuses = Gen.Zip(Statuses, Gen.Choose(0, int.MaxValue)).Select(c => Without(Marten.ToJson(c.Item1), c.Item2));
        Prop.ForAll(statuses.ToArbitrary(), SameStatus).Check(Runs);
    }

    [Fact]
    public async Task after_postgresql_jsonb_reordered_and_reformatted_it_the_bytes_are_still_the_views()
    {
        var histories = Histories.Sample(200, 20);
        var statuses = Statuses.Sample(200, 20);
        var prefix = Payloads.NewId();
        // Stored as documents of their own (no events), so the event tables the upsert consults must exist.
        await fixture.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using (var session = fixture.Store.LightweightSession())
        {
            for (var i = 0; i < histories.Length; i++)
            {
                session.Store(histories[i] with { Id = $"{prefix}:h{i}" });
                session.Store(statuses[i] with { Id = $"{prefix}:s{i}" });
            }

            await session.SaveChangesAsync();
        }

        try
        {
            var documents = fixture.Host.Services.GetRequiredService<StoredDocuments>();
            for (var i = 0; i < histories.Length; i++)
            {
                using (var stored = await documents.ReadAsync(documents.Histories, $"{prefix}:h{i}", CancellationToken.None))
                {
                    SameHistory(stored!.Utf8.ToArray()).ShouldBeTrue();
                }

                using (var stored = await documents.ReadAsync(documents.Statuses, $"{prefix}:s{i}", CancellationToken.None))
                {
                    SameStatus(stored!.Utf8.ToArray()).ShouldBeTrue();
                }
            }

            (await documents.ReadAsync(documents.Histories, $"{prefix}:none", CancellationToken.None)).ShouldBeNull();
        }
        finally
        {
            // Random phones and references in the shared store would be found by other tests' searches
            // (an injection test once matched a generated out id "_").
            await using var session = fixture.Store.LightweightSession();
            for (var i = 0; i < histories.Length; i++)
            {
                session.Delete<DeliveryHistory>($"{prefix}:h{i}");
                session.Delete<MessageStatus>($"{prefix}:s{i}");
            }

            await session.SaveChangesAsync();
        }
    }

    private bool SameHistory(byte[] stored) =>
        Same(ViewsAsSerialized.History(stored, Marten, Web), ViewsAsSerialized.Streamed(stored, HistoryJson.Write, Web), stored);

    private bool SameStatus(byte[] stored) =>
        Same(ViewsAsSerialized.Status(stored, Marten, Web, ViewsAsSerialized.Support), ViewsAsSerialized.Streamed(stored, WithMaskedPhone, Web), stored)
        && Same(ViewsAsSerialized.Status(stored, Marten, Web, ViewsAsSerialized.Admin), ViewsAsSerialized.Streamed(stored, WithPhone, Web), stored);

    private static bool Same(byte[] expected, byte[] actual, byte[] stored)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return true;
        }

        // Say where, so a failure is readable without a debugger.
        var at = expected.AsSpan().CommonPrefixLength(actual);
        throw new ShouldAssertException(
            $"Streamed JSON differs at byte {at}.\nstored:   {Encoding.UTF8.GetString(stored)}\nexpected: {Encoding.UTF8.GetString(expected)}\nactual:   {Encoding.UTF8.GetString(actual)}");
    }

    /// <summary>The document's JSON with some properties removed, at every level (chosen by <paramref name="seed"/>).</summary>
    private static byte[] Without(string json, int seed)
    {
        var random = new Random(seed);
        var root = JsonNode.Parse(json)!;
        Drop(root, random);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void Drop(JsonNode? node, Random random)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Select(p => p.Key).ToList())
                {
                    if (random.Next(4) == 0)
                    {
                        o.Remove(name);
                    }
                    else
                    {
                        Drop(o[name], random);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Drop(item, random);
                }

                break;
        }
    }

    // Generators: every value a stored document can hold, edges included.

    /// <summary>
    /// Text pieces, among them what JSON must escape, what encoders treat differently and JSON's own
    /// punctuation (the reader steps over values by scanning for their ends). No NUL: jsonb refuses it.
    /// </summary>
    private static readonly Gen<string> Piece = Gen.Elements(
        "a", "Z", "0", "9", " ", ":", "-", "_", "/", ".", "|", "DELIVRD", "MK:0001", "aliyun/1", "用户接收成功", "é", "😀", "\"", "\\", "\n", "\r", "\t",
        "\b", "\f", "\u0001", "\u001f", "\u007f", "<", ">", "&", "'", "+", "`", "\u2028", "\u2029", "\u00a0", "\ufeff", "€",
        "{", "}", "[", "]", ",", ":", "\\\"", "}\"]");

    private static readonly Gen<string> Text = Piece.ListOf().Select(pieces => string.Concat(pieces));

    private static readonly Gen<string?> OptionalText = Gen.Frequency((1, Gen.Constant<string?>(null)), (4, Text.Select(t => (string?)t)));

    private static readonly Gen<string?> Phones = Gen.Frequency(
        (1, Gen.Constant<string?>(null)),
        (1, Gen.Elements<string?>("", "1", "1234567", "12345678", "13812345678", "+8613812345678", "008613812345678", "+1 (415) 555-0100")),
        (1, OptionalText));

    private static readonly Gen<int> AnyInt = Gen.Choose(int.MinValue, int.MaxValue);

    private static readonly Gen<long> AnyLong = Gen.OneOf(
        Gen.Choose(0, 100).Select(i => (long)i),
        Gen.Zip(AnyInt, AnyInt).Select(p => ((long)p.Item1 << 32) | (uint)p.Item2),
        Gen.Elements(long.MinValue, long.MaxValue));

    private static readonly Gen<double> AnyDouble = Gen.OneOf(
        Gen.Zip(Gen.Choose(-1_000_000, 1_000_000), Gen.Choose(-12, 12)).Select(p => p.Item1 * Math.Pow(10, p.Item2)),
        AnyLong.Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite),
        Gen.Elements(0.0, -0.0, 0.1, 1e-7, 1e21, 1e300, double.Epsilon, double.MaxValue, double.MinValue, 0.8115208));

    private static readonly Gen<Guid> AnyGuid = AnyInt.ArrayOf(4).Select(words => new Guid(MemoryMarshal.AsBytes(words.AsSpan())));

    private static readonly Gen<DateTimeOffset> Instants = Gen.OneOf(
        from day in Gen.Choose(2, 3_650_000)
        from second in Gen.Choose(0, 86_399)
        from fraction in Gen.OneOf(Gen.Constant(0), Gen.Choose(0, 9_999_999))
        from offset in Gen.Choose(-14 * 60, 14 * 60)
        select new DateTimeOffset(day * TimeSpan.TicksPerDay + second * TimeSpan.TicksPerSecond + fraction, TimeSpan.FromMinutes(offset)),
        Gen.Constant(default(DateTimeOffset)),
        Gen.Constant(DateTimeOffset.Parse("2026-11-25T02:32:05+00:00")));

    private static Gen<T?> Optional<T>(Gen<T> values)
        where T : struct => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, values.Select(v => (T?)v)));

    private static Gen<T> AnyOf<T>()
        where T : struct, Enum => Gen.Elements(Enum.GetValues<T>());

    private static readonly Gen<ProviderTime?> ProviderTimes = Gen.Frequency(
        (1, Gen.Constant<ProviderTime?>(null)),
        (3, from raw in Text from utc in Instants from rule in Text select (ProviderTime?)new ProviderTime(raw, utc, rule)));


    private static readonly Gen<Report> Reports =
        from status in AnyOf<DeliveryStatus>()
        from final in Gen.Elements(true, false)
        from texts in OptionalText.ArrayOf(5)
        from time in ProviderTimes
        from phone in Phones
        from parts in Optional(AnyInt)
        select new Report(status, final, texts[0], texts[1], texts[2], time, phone, texts[3], parts, texts[4] ?? "test/1");

    private static readonly Gen<ItemInterpretation> Interpretations =
        from requestId in AnyGuid
        from index in AnyInt
        from receivedAt in Instants
        from report in Gen.OneOf(Gen.Constant<Report?>(null), Reports.Select(r => (Report?)r))
        select new ItemInterpretation(requestId, index, receivedAt, report);

    private static readonly Gen<HistoryEntry> Entries =
        from version in AnyLong
        from type in Gen.OneOf(Gen.Elements(EventNames.Pinned.Values.ToArray()), Text)
        from requestId in AnyGuid
        from itemIndex in Optional(AnyInt)
        from receivedAt in Instants
        from gap in Optional(AnyDouble)
        from time in ProviderTimes
        from status in Optional(AnyOf<DeliveryStatus>())
        from final in Optional(Gen.Elements(true, false))
        from texts in OptionalText.ArrayOf(4)
        from effect in Optional(AnyOf<ReportEffect>())
        from after in AnyOf<DeliveryStatus>()
        from replayId in Optional(AnyGuid)
        from previous in Optional(AnyOf<DeliveryStatus>())
        from part in Gen.OneOf(Gen.Constant<MessagePart?>(null), from sequence in AnyInt from total in AnyInt select (MessagePart?)new MessagePart(sequence, total))
        select new HistoryEntry
        {
            Version = version,
            Type = type,
            RequestId = requestId,
            ItemIndex = itemIndex,
            ReceivedAt = receivedAt,
            GapSeconds = gap,
            ProviderTime = time,
            Status = status,
            Final = final,
            ProviderStatus = texts[0],
            ErrorCode = texts[1],
            Description = texts[2],
            ParserVersion = texts[3],
            Effect = effect,
            StatusAfter = after,
            ReplayId = replayId,
            PreviousStatus = previous,
            Part = part,
        };

    private static readonly Gen<MessageStatus> Statuses =
        from texts in Text.ArrayOf(4)
        from optional in OptionalText.ArrayOf(7)
        from status in AnyOf<DeliveryStatus>()
        from final in Gen.Elements(true, false)
        from phone in Phones
        from reportedAt in Optional(Instants)
        from received in Instants.ArrayOf(2)
        from counts in AnyInt.ArrayOf(4)
        from parts in Optional(AnyInt)
        from version in AnyLong
        from effective in Optional(Instants)
        from fingerprints in Text.ListOf()
        from interpretations in Interpretations.ListOf()
        from sentAt in Optional(Instants)
        select new MessageStatus
        {
            Id = texts[0],
            Provider = texts[1],
            Account = texts[2],
            MessageKey = texts[3],
            Status = status,
            Final = final,
            ProviderStatus = optional[0],
            ErrorCode = optional[1],
            Description = optional[2],
            Phone = phone,
            ReportedAt = reportedAt,
            ReportedAtRaw = optional[3],
            TimeRule = optional[4],
            FirstReceivedAt = received[0],
            LastReceivedAt = received[1],
            CallbackCount = counts[0],
            DuplicateCount = counts[1],
            ConflictCount = counts[2],
            BilledParts = parts,
            OutId = optional[5],
            ParserVersion = optional[6],
            StreamVersion = version,
            EffectiveTime = effective,
            Fingerprints = [.. fingerprints],
            CorrectedCount = counts[3],
            Interpretations = [.. interpretations],
            SentAt = sentAt,
        };

    private static readonly Gen<DeliveryHistory> Histories =
        from texts in Text.ArrayOf(3)
        from entries in Entries.ListOf()
        from state in Statuses
        select new DeliveryHistory { Id = texts[0], Provider = texts[1], MessageKey = texts[2], Entries = [.. entries], State = HistoryState.Of(state) };
}
