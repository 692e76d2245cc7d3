using System.Text.Json;
using Ledger.Events;
using Ledger.Projections;
using static Ledger.Web.Messages.DocumentJson;

namespace Ledger.Web.Messages;

/// <summary>
/// A message's current status as the contract shows it (`GET /messages/{provider}/{messageKey}`), written
/// from the stored MessageStatus document's JSON in one pass: exactly what serializing
/// <see cref="MessageStatusView"/> gives, the phone masked unless the caller may see it. The document's
/// fingerprints and item interpretations (most of it) are skipped.
/// </summary>
public static class MessageStatusJson
{
    /// <summary>The stored properties read, named as in <see cref="MessageStatus"/>.</summary>
    private enum Stored
    {
        Provider, MessageKey, Account, Status, Final, ProviderStatus, ErrorCode, Description, Phone, ReportedAt, FirstReceivedAt,
        LastReceivedAt, CallbackCount, DuplicateCount, ConflictCount, BilledParts, OutId, StreamVersion, ParserVersion,
    }

    private static readonly byte[][] Names = StoredNames<MessageStatus, Stored>();

    private static readonly JsonEncodedText Provider = JsonEncodedText.Encode("provider");
    private static readonly JsonEncodedText MessageKey = JsonEncodedText.Encode("messageKey");
    private static readonly JsonEncodedText Account = JsonEncodedText.Encode("account");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Final = JsonEncodedText.Encode("final");
    private static readonly JsonEncodedText ProviderStatus = JsonEncodedText.Encode("providerStatus");
    private static readonly JsonEncodedText ErrorCode = JsonEncodedText.Encode("errorCode");
    private static readonly JsonEncodedText Description = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText Phone = JsonEncodedText.Encode("phone");
    private static readonly JsonEncodedText ReportedAt = JsonEncodedText.Encode("reportedAt");
    private static readonly JsonEncodedText FirstReceivedAt = JsonEncodedText.Encode("firstReceivedAt");
    private static readonly JsonEncodedText LastReceivedAt = JsonEncodedText.Encode("lastReceivedAt");
    private static readonly JsonEncodedText CallbackCount = JsonEncodedText.Encode("callbackCount");
    private static readonly JsonEncodedText DuplicateCount = JsonEncodedText.Encode("duplicateCount");
    private static readonly JsonEncodedText ConflictCount = JsonEncodedText.Encode("conflictCount");
    private static readonly JsonEncodedText BilledParts = JsonEncodedText.Encode("billedParts");
    private static readonly JsonEncodedText OutId = JsonEncodedText.Encode("outId");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText ParserVersion = JsonEncodedText.Encode("parserVersion");

    /// <summary>Writes the contract's status JSON; the phone in full only when <paramref name="showPhone"/> (admin).</summary>
    public static void Write(ReadOnlySpan<byte> document, Utf8JsonWriter writer, bool showPhone)
    {
        Span<int> at = stackalloc int[Names.Length];
        Locate(document, 0, Names, at);

        writer.WriteStartObject();
        writer.WritePropertyName(Provider);
        WriteString(document, at[(int)Stored.Provider], writer, absent: "");
        writer.WritePropertyName(MessageKey);
        WriteString(document, at[(int)Stored.MessageKey], writer, absent: "");
        writer.WritePropertyName(Account);
        WriteString(document, at[(int)Stored.Account], writer, absent: "");
        writer.WritePropertyName(Status);
        LowerCaseNames<DeliveryStatus>.Write(ReadEnum<DeliveryStatus>(document, at[(int)Stored.Status]) ?? default, writer);
        writer.WritePropertyName(Final);
        WriteBoolean(document, at[(int)Stored.Final], writer);
        writer.WritePropertyName(ProviderStatus);
        WriteString(document, at[(int)Stored.ProviderStatus], writer);
        writer.WritePropertyName(ErrorCode);
        WriteString(document, at[(int)Stored.ErrorCode], writer);
        writer.WritePropertyName(Description);
        WriteString(document, at[(int)Stored.Description], writer);
        writer.WritePropertyName(Phone);
        if (showPhone)
        {
            WriteString(document, at[(int)Stored.Phone], writer);
        }
        else
        {
            writer.WriteStringValue(PhoneMask.Mask(ReadString(document, at[(int)Stored.Phone])));
        }

        writer.WritePropertyName(ReportedAt);
        WriteNullableDateTimeOffset(document, at[(int)Stored.ReportedAt], writer);
        writer.WritePropertyName(FirstReceivedAt);
        WriteDateTimeOffset(document, at[(int)Stored.FirstReceivedAt], writer);
        writer.WritePropertyName(LastReceivedAt);
        WriteDateTimeOffset(document, at[(int)Stored.LastReceivedAt], writer);
        writer.WritePropertyName(CallbackCount);
        WriteInt32(document, at[(int)Stored.CallbackCount], writer);
        writer.WritePropertyName(DuplicateCount);
        WriteInt32(document, at[(int)Stored.DuplicateCount], writer);
        writer.WritePropertyName(ConflictCount);
        WriteInt32(document, at[(int)Stored.ConflictCount], writer);
        writer.WritePropertyName(BilledParts);
        WriteNullableInt32(document, at[(int)Stored.BilledParts], writer);
        writer.WritePropertyName(OutId);
        WriteString(document, at[(int)Stored.OutId], writer);
        writer.WritePropertyName(Version);
        WriteInt64(document, at[(int)Stored.StreamVersion], writer);
        writer.WritePropertyName(ParserVersion);
        WriteString(document, at[(int)Stored.ParserVersion], writer);
        writer.WriteEndObject();
    }
}
