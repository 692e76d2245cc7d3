using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Ledger.Web.Messages;

/// <summary>
/// Reading a stored document's JSON and writing the contract's JSON from it, value by value, with the very
/// Utf8JsonReader/Utf8JsonWriter calls System.Text.Json's own converters make (GetDateTimeOffset then
/// WriteStringValue, GetDouble then WriteNumberValue, …): the output is byte for byte what serializing
/// the view record gave, without building the document or the view.
/// </summary>
/// <remarks>
/// PostgreSQL's jsonb does not keep key order (it sorts keys, shorter first), so an object is read in two
/// steps: <see cref="Locate"/> notes where each wanted property's value starts, then the writer visits
/// them in the contract's order, each value read at its offset (<see cref="At"/>). An offset of -1 means
/// the property is absent (a document written before it existed): the record's default is written.
/// </remarks>
public static class DocumentJson
{
    public const int Absent = -1;

    /// <summary>
    /// The stored names of <typeparamref name="TField"/>'s members: each must be a property of
    /// <typeparamref name="TDocument"/> (Marten stores properties under their C# names), so renaming one
    /// fails at start-up instead of silently reading nothing.
    /// </summary>
    public static byte[][] StoredNames<TDocument, TField>()
        where TField : struct, Enum
    {
        var names = Enum.GetNames<TField>();
        foreach (var name in names)
        {
            if (typeof(TDocument).GetProperty(name) is null)
            {
                throw new InvalidOperationException($"{typeof(TDocument).Name} has no property {name}: update {typeof(TField).DeclaringType?.Name}.");
            }
        }

        return [.. names.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>
    /// Reads the object the reader stands on (StartObject) to its end, noting for each of
    /// <paramref name="names"/> where its value starts (offset into the whole document, the reader's own
    /// input starting at <paramref name="origin"/>). Names match ignoring ASCII case; other properties are skipped.
    /// </summary>
    public static void Locate(ref Utf8JsonReader reader, int origin, byte[][] names, scoped Span<int> found)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected an object in the stored document, found {reader.TokenType}.");
        }

        found.Fill(Absent);
        Span<byte> unescaped = stackalloc byte[128];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            scoped var name = reader.ValueSpan;
            if (reader.ValueIsEscaped)
            {
                name = reader.ValueSpan.Length <= unescaped.Length ? unescaped[..reader.CopyString(unescaped)] : [];
            }

            var index = IndexOf(names, name);
            reader.Read();
            if (index >= 0)
            {
                found[index] = origin + (int)reader.TokenStartIndex;
            }

            reader.Skip();
        }
    }

    /// <summary>A reader standing on the value that starts at <paramref name="offset"/>.</summary>
    public static Utf8JsonReader At(ReadOnlySpan<byte> document, int offset)
    {
        var reader = new Utf8JsonReader(document[offset..]);
        reader.Read();
        return reader;
    }

    public static void WriteString(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer, string? absent = null)
    {
        if (offset == Absent)
        {
            writer.WriteStringValue(absent);
            return;
        }

        var reader = At(document, offset);
        CopyString(ref reader, writer);
    }

    /// <summary>A string (or null) copied as System.Text.Json would write the string it read: unescaped, then escaped by the writer's encoder.</summary>
    public static void CopyString(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            writer.WriteNullValue();
            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string in the stored document, found {reader.TokenType}.");
        }

        if (!reader.ValueIsEscaped)
        {
            writer.WriteStringValue(reader.ValueSpan);
            return;
        }

        // Unescaping never lengthens a value.
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        var buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            writer.WriteStringValue(buffer[..reader.CopyString(buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The string at the offset (null when absent or null): for values that are transformed, not copied.</summary>
    public static string? ReadString(ReadOnlySpan<byte> document, int offset)
    {
        if (offset == Absent)
        {
            return null;
        }

        var reader = At(document, offset);
        return reader.GetString();
    }

    public static void WriteInt64(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        if (offset == Absent)
        {
            writer.WriteNumberValue(0L);
            return;
        }

        writer.WriteNumberValue(At(document, offset).GetInt64());
    }

    public static void WriteInt32(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        if (offset == Absent)
        {
            writer.WriteNumberValue(0);
            return;
        }

        writer.WriteNumberValue(At(document, offset).GetInt32());
    }

    public static void WriteNullableInt32(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        var reader = offset == Absent ? default : At(document, offset);
        if (offset == Absent || reader.TokenType == JsonTokenType.Null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteNumberValue(reader.GetInt32());
    }

    public static void WriteNullableDouble(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        var reader = offset == Absent ? default : At(document, offset);
        if (offset == Absent || reader.TokenType == JsonTokenType.Null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteNumberValue(reader.GetDouble());
    }

    public static void WriteBoolean(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        writer.WriteBooleanValue(offset != Absent && At(document, offset).GetBoolean());
    }

    public static void WriteNullableBoolean(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        var reader = offset == Absent ? default : At(document, offset);
        if (offset == Absent || reader.TokenType == JsonTokenType.Null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteBooleanValue(reader.GetBoolean());
    }

    public static void WriteDateTimeOffset(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        writer.WriteStringValue(offset == Absent ? default : At(document, offset).GetDateTimeOffset());
    }

    public static void WriteNullableDateTimeOffset(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        var reader = offset == Absent ? default : At(document, offset);
        if (offset == Absent || reader.TokenType == JsonTokenType.Null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStringValue(reader.GetDateTimeOffset());
    }

    public static void WriteGuid(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        writer.WriteStringValue(offset == Absent ? Guid.Empty : At(document, offset).GetGuid());
    }

    public static void WriteNullableGuid(ReadOnlySpan<byte> document, int offset, Utf8JsonWriter writer)
    {
        var reader = offset == Absent ? default : At(document, offset);
        if (offset == Absent || reader.TokenType == JsonTokenType.Null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStringValue(reader.GetGuid());
    }

    /// <summary>
    /// An enum stored by name (Marten's EnumStorage.AsString; a number is read too, as System.Text.Json does),
    /// or null when absent or null.
    /// </summary>
    public static TEnum? ReadEnum<TEnum>(ReadOnlySpan<byte> document, int offset)
        where TEnum : struct, Enum
    {
        if (offset == Absent)
        {
            return null;
        }

        var reader = At(document, offset);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return (TEnum)Enum.ToObject(typeof(TEnum), reader.GetInt64());
            case JsonTokenType.String:
                Span<char> name = stackalloc char[64];
                var length = reader.CopyString(name);
                if (Enum.TryParse<TEnum>(name[..length], ignoreCase: true, out var value))
                {
                    return value;
                }

                break;
        }

        throw new JsonException($"The stored document holds an unknown {typeof(TEnum).Name}.");
    }

    private static int IndexOf(byte[][] names, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == name.Length && Ascii.EqualsIgnoreCase(names[i], name))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// An enum's values as the views write them (`value.ToString().ToLowerInvariant()`), encoded once.
/// </summary>
public static class LowerCaseNames<TEnum>
    where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, JsonEncodedText> Names =
        Enum.GetValues<TEnum>().Distinct().ToDictionary(v => v, v => JsonEncodedText.Encode(v.ToString().ToLowerInvariant()));

    public static void Write(TEnum? value, Utf8JsonWriter writer)
    {
        if (value is not { } v)
        {
            writer.WriteNullValue();
        }
        else if (Names.TryGetValue(v, out var name))
        {
            writer.WriteStringValue(name);
        }
        else
        {
            writer.WriteStringValue(v.ToString().ToLowerInvariant());
        }
    }
}
