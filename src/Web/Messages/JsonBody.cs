using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ledger.Web.Messages;

/// <summary>
/// A read endpoint's JSON answer, serialized by System.Text.Json with the host's own options (what
/// `Results.Json` uses) into one buffer first, so the response goes out with a Content-Length in one write.
/// `Results.Json` streams it chunked: the body and the closing chunk were two writes, each a system call
/// when Kestrel sends inline. Measured on the bench (300,000 messages, 64 readers): service CPU per status read
/// 73 -> 66 µs. The bytes are the same (tests compare them with the serializer's own output).
/// </summary>
public static class JsonBody
{
    public static IResult Of<T>(T value, HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(value, options), "application/json; charset=utf-8");
    }
}
