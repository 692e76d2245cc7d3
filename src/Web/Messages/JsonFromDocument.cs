using System.Buffers;
using System.Text.Json;

namespace Ledger.Web.Messages;

/// <summary>
/// A 200 whose JSON body a one-pass transform writes from a stored document (<see cref="HistoryJson"/>,
/// <see cref="MessageStatusJson"/>), with the encoder and indentation of <paramref name="options"/>: the
/// endpoints pass DI's JsonOptions, what `Results.Json` uses, injected once (looking them up in the
/// request's services created a service scope per request). The body is built in a per-thread buffer
/// and handed to the server whole, with its Content-Length, so headers and body leave in one send (a
/// chunked body took a second one for its terminator).
/// </summary>
public sealed class JsonFromDocument(StoredJson document, JsonFromDocument.Transform transform, JsonSerializerOptions options) : IResult
{
    public delegate void Transform(ReadOnlySpan<byte> document, Utf8JsonWriter writer);

    private const string ContentType = "application/json; charset=utf-8";

    /// <summary>A buffer grown past this is not kept for the next request on the thread.</summary>
    private const int KeptBufferBytes = 256 * 1024;

    // Safe per thread: the body is written and copied out without an await in between.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_body;

    public Task ExecuteAsync(HttpContext context)
    {
        using (document)
        {
            var body = t_body ?? new ArrayBufferWriter<byte>(16 * 1024);
            t_body = null;
            body.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(body, WriterOptions(options)))
            {
                transform(document.Utf8, writer);
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.ContentLength = body.WrittenCount;
            // Copied into the server's output pipe now; the server flushes it when the request completes.
            response.BodyWriter.Write(body.WrittenSpan);
            if (body.Capacity <= KeptBufferBytes)
            {
                t_body = body;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The writer settings a serializer with these options writes with.</summary>
    public static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth,
        SkipValidation = true,
    };
}
