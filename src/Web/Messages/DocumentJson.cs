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
    /// fails on first use (and in the tests) instead of silently reading nothing.
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
    /// Notes, for the object starting at <paramref name="start"/>, where the value of each of
    /// <paramref name="names"/> starts (names match ignoring ASCII case). Other values are stepped over by
    /// scanning for their end (<see cref="End"/>), not tokenized: a history's status state and a status's
    /// interpretations, most of each document, cost one pass over their bytes.
    /// </summary>
    public static void Locate(ReadOnlySpan<byte> json, int start, byte[][] names, scoped Span<int> found)
    {
        found.Fill(Absent);
        var at = SkipWhiteSpace(json, After(json, SkipWhiteSpace(json, start), (byte)'{'));
        if (ByteAt(json, at) == '}')
        {
            return;
        }

        while (true)
        {
            if (ByteAt(json, at) != '"')
            {
                throw Malformed(at);
            }

            var nameEnd = StringEnd(json, at);
            var name = json[(at + 1)..(nameEnd - 1)];
            var value = SkipWhiteSpace(json, After(json, SkipWhiteSpace(json, nameEnd), (byte)':'));
            // An escaped name is never one of ours (plain letters, which no JSON writer escapes).
            var index = name.Contains((byte)'\\') ? -1 : IndexOf(names, name);
            if (index >= 0)
            {
                found[index] = value;
            }

            at = SkipWhiteSpace(json, End(json, value));
            if (ByteAt(json, at) == '}')
            {
                return;
            }

            at = SkipWhiteSpace(json, After(json, at, (byte)','));
        }
    }

    /// <summary>Where the first element of the array starting at <paramref name="start"/> starts (Absent when empty or not an array).</summary>
    public static int FirstElement(ReadOnlySpan<byte> json, int start)
    {
        if (ByteAt(json, start) != '[')
        {
            return Absent;
        }

        var at = SkipWhiteSpace(json, start + 1);
        return ByteAt(json, at) == ']' ? Absent : at;
    }

    /// <summary>Where the element after the one starting at <paramref name="element"/> starts (Absent after the last).</summary>
    public static int NextElement(ReadOnlySpan<byte> json, int element)
    {
        var at = SkipWhiteSpace(json, End(json, element));
        return ByteAt(json, at) == ']' ? Absent : SkipWhiteSpace(json, After(json, at, (byte)','));
    }

    /// <summary>
    /// Where the value starting at <paramref name="start"/> ends (exclusive): a string at its closing quote,
    /// an object or array at its matching bracket (strings inside stepped over), anything else at the next
    /// delimiter. The stored JSON is PostgreSQL's own output, so it is well formed; this only finds ends,
    /// in one pass byte by byte: the values stepped over are mostly short strings, where a vectorized
    /// search per string cost more than it saved (profiled).
    /// </summary>
    private static int End(ReadOnlySpan<byte> json, int start)
    {
        switch (ByteAt(json, start))
        {
            case (byte)'"':
                return StringEnd(json, start);
            case (byte)'{' or (byte)'[':
                var depth = 0;
                var inString = false;
                for (var at = start; at < json.Length; at++)
                {
                    var b = json[at];
                    if (inString)
                    {
                        if (b == '\\')
                        {
                            at++;
                        }
                        else if (b == '"')
                        {
                            inString = false;
                        }
                    }
                    else if (b == '"')
                    {
                        inString = true;
                    }
                    else if (b is (byte)'{' or (byte)'[')
                    {
                        depth++;
                    }
                    else if (b is (byte)'}' or (byte)']' && --depth == 0)
                    {
                        return at + 1;
                    }
                }

                throw Malformed(json.Length);

            default:
                var end = start;
                while (end < json.Length && json[end] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    end++;
                }

                return end;
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
    private static void CopyString(ref Utf8JsonReader reader, Utf8JsonWriter writer)
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
            case JsonTokenType.String when !reader.ValueIsEscaped && StoredEnum<TEnum>.Find(reader.ValueSpan) is { } stored:
                return stored;
            case JsonTokenType.String when reader.ValueSpan.Length <= 64:
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


    private static int StringEnd(ReadOnlySpan<byte> json, int start)
    {
        for (var at = start + 1; at < json.Length; at++)
        {
            if (json[at] == '\\')
            {
                at++; // the escaped character
            }
            else if (json[at] == '"')
            {
                return at + 1;
            }
        }

        throw Malformed(json.Length);
    }

    private static int SkipWhiteSpace(ReadOnlySpan<byte> json, int at)
    {
        while (at < json.Length && json[at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            at++;
        }

        return at;
    }

    private static byte ByteAt(ReadOnlySpan<byte> json, int at) => at < json.Length ? json[at] : throw Malformed(at);

    private static int After(ReadOnlySpan<byte> json, int at, byte expected) => ByteAt(json, at) == expected ? at + 1 : throw Malformed(at);

    private static JsonException Malformed(int at) => new($"The stored document is not well-formed JSON at byte {at}.");

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

/// <summary>An enum's values as Marten stores them (EnumStorage.AsString: the member names).</summary>
internal static class StoredEnum<TEnum>
    where TEnum : struct, Enum
{
    private static readonly TEnum[] Values = Enum.GetValues<TEnum>();
    private static readonly byte[][] Names = [.. Values.Select(v => Encoding.UTF8.GetBytes(v.ToString()))];

    public static TEnum? Find(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i]))
            {
                return Values[i];
            }
        }

        return null;
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
