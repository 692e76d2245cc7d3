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
    private static Output? t_output;

    public Task ExecuteAsync(HttpContext context)
    {
        using (document)
        {
            var output = t_output is { } kept && ReferenceEquals(kept.Options, options) ? kept : new Output(options);
            t_output = null;
            output.Body.ResetWrittenCount();
            output.Writer.Reset(output.Body);
            transform(document.Utf8, output.Writer);
            output.Writer.Flush();

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.ContentLength = output.Body.WrittenCount;
            // Copied into the server's output pipe now; the server flushes it when the request completes.
            response.BodyWriter.Write(output.Body.WrittenSpan);
            if (output.Body.Capacity <= KeptBufferBytes)
            {
                t_output = output;
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

    /// <summary>A thread's body buffer and the writer over it, kept from one request to the next.</summary>
    private sealed class Output
    {
        public Output(JsonSerializerOptions options)
        {
            Options = options;
            Writer = new Utf8JsonWriter(Body, WriterOptions(options));
        }

        public JsonSerializerOptions Options { get; }

        public ArrayBufferWriter<byte> Body { get; } = new(16 * 1024);

        public Utf8JsonWriter Writer { get; }
    }
}
