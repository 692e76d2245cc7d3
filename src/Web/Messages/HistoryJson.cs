using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using Ledger.Status;
using static Ledger.Web.Messages.DocumentJson;

namespace Ledger.Web.Messages;

/// <summary>
/// The history as the contract shows it (`GET /messages/{provider}/{messageKey}/history`), written from the
/// stored DeliveryHistory document's JSON in one pass: `provider`, `messageKey` and `events`, each event
/// with `version`, `type`, `receivedAt`, `providerTime` (UTC) and `providerTimeRaw`, `status`, `final`,
/// `providerStatus`, `errorCode`, `description`, the report's effect as `duplicate`, `conflict`,
/// `superseded` and `effect`, `statusAfter`, `verification`, `parserVersion`, `requestId`, `itemIndex`,
/// `gapSeconds`, `replayId`, `previousStatus` and `part` (`{sequence, total}` of a long message, else null).
/// The document's rules state is skipped.
/// </summary>
public static class HistoryJson
{
    /// <summary>The stored properties read, named as in <see cref="DeliveryHistory"/>.</summary>
    private enum Document { Provider, MessageKey, Entries }

    /// <summary>The stored properties read, named as in <see cref="HistoryEntry"/>.</summary>
    private enum Entry
    {
        Version, Type, ReceivedAt, ProviderTime, Status, Final, ProviderStatus, ErrorCode, Description, Effect, StatusAfter,
        ParserVersion, RequestId, ItemIndex, GapSeconds, ReplayId, PreviousStatus, Part,
    }

    /// <summary>The stored properties read, named as in <see cref="Events.ProviderTime"/>.</summary>
    private enum Time { Raw, Utc }

    /// <summary>The stored properties read, named as in <see cref="MessagePart"/>.</summary>
    private enum PartOf { Sequence, Total }

    private static readonly byte[][] DocumentNames = StoredNames<DeliveryHistory, Document>();
    private static readonly byte[][] EntryNames = StoredNames<HistoryEntry, Entry>();
    private static readonly byte[][] TimeNames = StoredNames<ProviderTime, Time>();
    private static readonly byte[][] PartNames = StoredNames<MessagePart, PartOf>();

    private static readonly JsonEncodedText Provider = JsonEncodedText.Encode("provider");
    private static readonly JsonEncodedText MessageKey = JsonEncodedText.Encode("messageKey");
    private static readonly JsonEncodedText Events = JsonEncodedText.Encode("events");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText ReceivedAt = JsonEncodedText.Encode("receivedAt");
    private static readonly JsonEncodedText ProviderTime = JsonEncodedText.Encode("providerTime");
    private static readonly JsonEncodedText ProviderTimeRaw = JsonEncodedText.Encode("providerTimeRaw");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Final = JsonEncodedText.Encode("final");
    private static readonly JsonEncodedText ProviderStatus = JsonEncodedText.Encode("providerStatus");
    private static readonly JsonEncodedText ErrorCode = JsonEncodedText.Encode("errorCode");
    private static readonly JsonEncodedText Description = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText Duplicate = JsonEncodedText.Encode("duplicate");
    private static readonly JsonEncodedText Conflict = JsonEncodedText.Encode("conflict");
    private static readonly JsonEncodedText Superseded = JsonEncodedText.Encode("superseded");
    private static readonly JsonEncodedText Effect = JsonEncodedText.Encode("effect");
    private static readonly JsonEncodedText StatusAfter = JsonEncodedText.Encode("statusAfter");
    private static readonly JsonEncodedText Verification = JsonEncodedText.Encode("verification");
    private static readonly JsonEncodedText ParserVersion = JsonEncodedText.Encode("parserVersion");
    private static readonly JsonEncodedText RequestId = JsonEncodedText.Encode("requestId");
    private static readonly JsonEncodedText ItemIndex = JsonEncodedText.Encode("itemIndex");
    private static readonly JsonEncodedText GapSeconds = JsonEncodedText.Encode("gapSeconds");
    private static readonly JsonEncodedText ReplayId = JsonEncodedText.Encode("replayId");
    private static readonly JsonEncodedText PreviousStatus = JsonEncodedText.Encode("previousStatus");
    private static readonly JsonEncodedText Part = JsonEncodedText.Encode("part");
    private static readonly JsonEncodedText Sequence = JsonEncodedText.Encode("sequence");
    private static readonly JsonEncodedText Total = JsonEncodedText.Encode("total");

    // Only verified requests reach a message stream (PRODUCT.md rule 5); refused ones stay in quarantine.
    private static readonly JsonEncodedText Passed = JsonEncodedText.Encode("passed");

    /// <summary>Writes the contract's history JSON for a stored DeliveryHistory document.</summary>
    public static void Write(ReadOnlySpan<byte> document, Utf8JsonWriter writer)
    {
        Span<int> at = stackalloc int[DocumentNames.Length];
        Locate(document, 0, DocumentNames, at);

        writer.WriteStartObject();
        writer.WritePropertyName(Provider);
        WriteString(document, at[(int)Document.Provider], writer, absent: "");
        writer.WritePropertyName(MessageKey);
        WriteString(document, at[(int)Document.MessageKey], writer, absent: "");
        writer.WritePropertyName(Events);
        writer.WriteStartArray();
        if (at[(int)Document.Entries] is var entries and not Absent)
        {
            for (var entry = FirstElement(document, entries); entry != Absent; entry = NextElement(document, entry))
            {
                WriteEntry(document, entry, writer);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteEntry(ReadOnlySpan<byte> document, int start, Utf8JsonWriter writer)
    {
        Span<int> at = stackalloc int[EntryNames.Length];
        Locate(document, start, EntryNames, at);
        Span<int> time = stackalloc int[TimeNames.Length];
        time.Fill(Absent);
        var providerTime = at[(int)Entry.ProviderTime];
        var hasTime = providerTime != Absent && document[providerTime] == (byte)'{';
        if (hasTime)
        {
            Locate(document, providerTime, TimeNames, time);
        }

        var effect = ReadEnum<ReportEffect>(document, at[(int)Entry.Effect]);

        writer.WriteStartObject();
        writer.WritePropertyName(Version);
        WriteInt64(document, at[(int)Entry.Version], writer);
        writer.WritePropertyName(Type);
        WriteString(document, at[(int)Entry.Type], writer, absent: "");
        writer.WritePropertyName(ReceivedAt);
        WriteDateTimeOffset(document, at[(int)Entry.ReceivedAt], writer);
        writer.WritePropertyName(ProviderTime);
        if (hasTime)
        {
            WriteDateTimeOffset(document, time[(int)Time.Utc], writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName(ProviderTimeRaw);
        WriteString(document, time[(int)Time.Raw], writer);
        writer.WritePropertyName(Status);
        LowerCaseNames<DeliveryStatus>.Write(ReadEnum<DeliveryStatus>(document, at[(int)Entry.Status]), writer);
        writer.WritePropertyName(Final);
        WriteNullableBoolean(document, at[(int)Entry.Final], writer);
        writer.WritePropertyName(ProviderStatus);
        WriteString(document, at[(int)Entry.ProviderStatus], writer);
        writer.WritePropertyName(ErrorCode);
        WriteString(document, at[(int)Entry.ErrorCode], writer);
        writer.WritePropertyName(Description);
        WriteString(document, at[(int)Entry.Description], writer);
        writer.WriteBoolean(Duplicate, effect == ReportEffect.Duplicate);
        writer.WriteBoolean(Conflict, effect == ReportEffect.Conflict);
        writer.WriteBoolean(Superseded, effect == ReportEffect.Superseded);
        writer.WritePropertyName(Effect);
        LowerCaseNames<ReportEffect>.Write(effect, writer);
        writer.WritePropertyName(StatusAfter);
        LowerCaseNames<DeliveryStatus>.Write(ReadEnum<DeliveryStatus>(document, at[(int)Entry.StatusAfter]) ?? default, writer);
        writer.WriteString(Verification, Passed);
        writer.WritePropertyName(ParserVersion);
        WriteString(document, at[(int)Entry.ParserVersion], writer);
        writer.WritePropertyName(RequestId);
        WriteGuid(document, at[(int)Entry.RequestId], writer);
        writer.WritePropertyName(ItemIndex);
        WriteNullableInt32(document, at[(int)Entry.ItemIndex], writer);
        writer.WritePropertyName(GapSeconds);
        WriteNullableDouble(document, at[(int)Entry.GapSeconds], writer);
        writer.WritePropertyName(ReplayId);
        WriteNullableGuid(document, at[(int)Entry.ReplayId], writer);
        writer.WritePropertyName(PreviousStatus);
        LowerCaseNames<DeliveryStatus>.Write(ReadEnum<DeliveryStatus>(document, at[(int)Entry.PreviousStatus]), writer);
        writer.WritePropertyName(Part);
        WritePart(document, at[(int)Entry.Part], writer);
        writer.WriteEndObject();
    }

    /// <summary>Which part of a long message the report was about (Huawei's `sequence` of `total`), or null.</summary>
    private static void WritePart(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        if (offset == Absent || document[offset] != (byte)'{')
        {
            writer.WriteNullValue();
            return;
        }

        Span<int> part = stackalloc int[PartNames.Length];
        Locate(document, offset, PartNames, part);
        writer.WriteStartObject();
        writer.WritePropertyName(Sequence);
        WriteInt64(document, part[(int)PartOf.Sequence], writer);
        writer.WritePropertyName(Total);
        WriteInt64(document, part[(int)PartOf.Total], writer);
        writer.WriteEndObject();
    }
}
