using Ledger.Ingest;
using Ledger.Providers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Ledger.Web.Ingest;

/// <summary>
/// Compressed callback bodies (`Content-Encoding: gzip`, `deflate`, `br`), decoded by ASP.NET Core's request
/// decompression middleware so the adapter reads the body a provider meant. Ledger:MaxBodyBytes applies to
/// the decoded size (<see cref="CallbackReception"/> reads the decoded stream against it), so a zip bomb is
/// refused with 413 after at most that many bytes, and kept. Under the middleware, <see cref="WireCopy"/>
/// keeps a copy of the bytes as they came on the wire: the raw record stores those, with the
/// Content-Encoding header the middleware removes, and a replay decodes them again
/// (<see cref="ContentEncodings"/>). An encoding the middleware does not decode reaches the endpoint with its
/// header still on: refused with 415 and kept, as is a body that does not decode (400).
/// Only requests that name an encoding take this path; every other callback is untouched.
/// </summary>
public static class CompressedBodies
{
    public static IServiceCollection AddCompressedBodies(this IServiceCollection services)
    {
        // The middleware's own providers: gzip (GZipStream), deflate (ZLibStream), br (BrotliStream).
        services.AddRequestDecompression();
        return services;
    }

    public static IApplicationBuilder UseCompressedBodies(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/callbacks") && context.Request.Headers.ContainsKey(HeaderNames.ContentEncoding),
            compressed => compressed.UseMiddleware<WireCopy>().UseRequestDecompression().Use(Decoding));

    /// <summary>After the middleware: notes whether it decoded (it removes the header when it does) and guards the decoding stream.</summary>
    private static async Task Decoding(HttpContext context, RequestDelegate next)
    {
        var wire = context.Features.Get<WireBody>()!;
        wire.Decoded = !context.Request.Headers.ContainsKey(HeaderNames.ContentEncoding);
        if (!wire.Decoded)
        {
            await next(context);
            return;
        }

        var decoding = context.Request.Body;
        context.Request.Body = new Guarded(decoding, wire);
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Body = decoding;
        }
    }

    /// <summary>The request for its raw record: the wire bytes and the Content-Encoding header, when it was decoded.</summary>
    public static RawCallback AsReceived(HttpContext context, RawCallback read) =>
        context.Features.Get<WireBody>() is { Decoded: true } wire
            ? read with { Body = wire.Bytes(), Headers = [.. read.Headers, new HeaderEntry(ContentEncodings.Header, wire.Encoding)] }
            : read;

    /// <summary>Why a body that names an encoding cannot be read: an encoding not decoded (415), or data that does not decode (400).</summary>
    public static Rejection? Refusal(HttpContext context)
    {
        if (context.Features.Get<WireBody>() is not { } wire)
        {
            return null;
        }

        if (!wire.Decoded)
        {
            return new Rejection(RejectionReasons.UnsupportedEncoding,
                $"Content-Encoding '{wire.Encoding}' is not decoded here: send the body uncompressed, or as one of {string.Join(", ", ContentEncodings.Decoded)} (one encoding, not a list).",
                StatusCodes.Status415UnsupportedMediaType);
        }

        return wire.Corrupt is { } problem
            ? new Rejection(RejectionReasons.UnsupportedEncoding, $"The body is not valid {wire.Encoding} data ({problem}).", StatusCodes.Status400BadRequest)
            : null;
    }

    /// <summary>What came on the wire for a request that named an encoding.</summary>
    public sealed class WireBody(string encoding, int limit)
    {
        private readonly MemoryStream _bytes = new();

        public string Encoding { get; } = encoding;

        /// <summary>The middleware took it (it removes the header when it decodes).</summary>
        public bool Decoded { get; set; }

        /// <summary>Why the decoding stream failed, when it did.</summary>
        public string? Corrupt { get; set; }

        public byte[] Bytes() => _bytes.ToArray();

        public void Keep(ReadOnlySpan<byte> read)
        {
            var room = limit - (int)_bytes.Length;
            if (room > 0)
            {
                _bytes.Write(read[..Math.Min(room, read.Length)]);
            }
        }
    }

    /// <summary>
    /// Before the decompression middleware: the request body becomes a stream that keeps what it reads;
    /// after it: corrupt data ends the body (and is noted) instead of throwing out of the endpoint as a 500.
    /// </summary>
    public sealed class WireCopy(RequestDelegate next, IOptionsMonitor<LedgerOptions> options)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            var request = context.Request;
            var encoding = string.Join(", ", request.Headers.ContentEncoding.Where(v => !string.IsNullOrEmpty(v)));
            // Room for a body whose decoded size is within the limit (deflate adds at most ~0.03 % and a few bytes).
            var limit = options.CurrentValue.MaxBodyBytes;
            var wire = new WireBody(encoding, (int)Math.Min(int.MaxValue - 1, limit + (limit / 8) + 64 * 1024));
            context.Features.Set(wire);
            var body = request.Body;
            request.Body = new Copying(body, wire);
            try
            {
                await next(context);
            }
            finally
            {
                request.Body = body;
            }
        }
    }

    /// <summary>Reads through to the wire stream, keeping a copy of what it reads.</summary>
    private sealed class Copying(Stream inner, WireBody wire) : ReadOnly
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            wire.Keep(buffer.Span[..read]);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            wire.Keep(buffer.AsSpan(offset, read));
            return read;
        }
    }

    /// <summary>Reads the decoded body; data that does not decode ends it, noted on the <see cref="WireBody"/>, instead of throwing.</summary>
    private sealed class Guarded(Stream inner, WireBody wire) : ReadOnly
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                wire.Corrupt = e.Message;
                return 0;
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (InvalidDataException e)
            {
                wire.Corrupt = e.Message;
                return 0;
            }
        }
    }

    private abstract class ReadOnly : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
