using System.IO.Compression;

namespace Ledger.Ingest;

/// <summary>
/// Compressed request bodies (`Content-Encoding: gzip`, `deflate`, `br`). At receipt ASP.NET Core's request
/// decompression decodes them for the adapter while the raw record keeps the bytes as they came on the wire,
/// with their Content-Encoding header (docs/rules.md rule 1). A replay reads that record again, so it decodes
/// here with the streams the middleware's providers use (GZipStream, ZLibStream, BrotliStream: RFC 9110's
/// `deflate` is the zlib format), and hands the adapter the request exactly as it was handed then.
/// </summary>
public static class ContentEncodings
{
    public const string Header = "Content-Encoding";

    /// <summary>The encodings decoded, as ASP.NET Core's request decompression registers them by default.</summary>
    public static readonly IReadOnlyList<string> Decoded = ["gzip", "deflate", "br"];

    /// <summary>The encoding a request names; null without one (or `identity`, which means none).</summary>
    public static string? Of(IReadOnlyList<HeaderEntry> headers)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Name, Header, StringComparison.OrdinalIgnoreCase))
            {
                var value = header.Value.Trim();
                return value.Length == 0 || value.Equals("identity", StringComparison.OrdinalIgnoreCase) ? null : value;
            }
        }

        return null;
    }

    public static bool IsDecoded(string encoding) => Decoded.Contains(encoding.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>A stream that decodes <paramref name="wire"/> (left open).</summary>
    public static Stream Decoder(string encoding, Stream wire) => encoding.Trim().ToLowerInvariant() switch
    {
        "gzip" => new GZipStream(wire, CompressionMode.Decompress, leaveOpen: true),
        "deflate" => new ZLibStream(wire, CompressionMode.Decompress, leaveOpen: true),
        "br" => new BrotliStream(wire, CompressionMode.Decompress, leaveOpen: true),
        _ => throw new ArgumentException($"'{encoding}' is not an encoding the ledger decodes.", nameof(encoding)),
    };

    /// <summary>What a stored body decodes to: the bytes, or why not.</summary>
    public sealed record Decoding(byte[]? Body, string? Problem);

    /// <summary>Decodes at most <paramref name="limit"/> bytes; a larger, corrupt or unknown body gives a problem instead.</summary>
    public static Decoding Decode(byte[] wire, string encoding, long limit)
    {
        if (!IsDecoded(encoding))
        {
            return new Decoding(null, $"Content-Encoding '{encoding}' is not one the ledger decodes ({string.Join(", ", Decoded)}).");
        }

        try
        {
            using var decoder = Decoder(encoding, new MemoryStream(wire, writable: false));
            using var decoded = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = decoder.Read(buffer)) > 0)
            {
                decoded.Write(buffer, 0, read);
                if (decoded.Length > limit)
                {
                    return new Decoding(null, $"The {encoding} body decodes to more than {limit} bytes.");
                }
            }

            return new Decoding(decoded.ToArray(), null);
        }
        catch (InvalidDataException e)
        {
            return new Decoding(null, $"The body is not valid {encoding} data: {e.Message}");
        }
    }

    /// <summary>
    /// The request as its adapter read it at receipt: the body decoded and no Content-Encoding header, as
    /// the decompression middleware handed it over. A request without an encoding is returned as it is.
    /// </summary>
    public static (RawCallback? Request, string? Problem) AsRead(RawCallback wire, long limit)
    {
        if (Of(wire.Headers) is not { } encoding)
        {
            return (wire, null);
        }

        var decoding = Decode(wire.Body, encoding, limit);
        return decoding.Body is null
            ? (null, decoding.Problem)
            : (wire with { Body = decoding.Body, Headers = [.. wire.Headers.Where(h => !string.Equals(h.Name, Header, StringComparison.OrdinalIgnoreCase))] }, null);
    }
}
