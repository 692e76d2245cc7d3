using System.IO.Compression;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;
using Microsoft.AspNetCore.RequestDecompression;

namespace Ledger.Tests.Ingest;

/// <summary>
/// `Content-Encoding: gzip` / `deflate` bodies through the real pipeline: decoded for the adapter by ASP.NET
/// Core's request decompression within Ledger:MaxBodyBytes (of the decoded size), the raw record keeping the
/// bytes as they came on the wire with their header; anything else refused with a clear 4xx and kept.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_callback_body_is_compressed(LedgerFixture fixture)
{
    public static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(plain);
        }

        return output.ToArray();
    }

    /// <summary>HTTP's `deflate`: the zlib format (RFC 9110 §8.4.1.2).</summary>
    public static byte[] Zlib(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(plain);
        }

        return output.ToArray();
    }

    private async Task<(int Status, string Body)> PostAsync(string url, byte[] wire, string encoding)
    {
        var client = fixture.Host.Server.CreateClient();
        using var content = new ByteArrayContent(wire);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        using var response = await client.PostAsync(url, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<RawRequestRecord> RecordAsync(Guid id)
    {
        await using var session = fixture.Store.QuerySession();
        return (await session.LoadAsync<RawRequestRecord>(id)).ShouldNotBeNull();
    }

    private async Task<RawRequestRecord> RecordOfMessageAsync(string key)
    {
        var (status, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString(key)}/history");
        status.ShouldBe(200);
        return await RecordAsync(history.GetProperty("events")[0].GetProperty("requestId").GetGuid());
    }

    private static string Encoding(RawRequestRecord record) =>
        string.Join(", ", record.Headers.Where(h => h.Name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value));

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task a_compressed_batch_is_read_and_its_raw_record_keeps_the_bytes_as_sent(string encoding)
    {
        var biz = Payloads.NewId();
        var plain = Encoding8(Payloads.Array(Payloads.AliyunItem(biz, "13800000201", true), Payloads.AliyunItem(biz + "b", "13800000202", false)));
        var wire = encoding == "gzip" ? Gzip(plain) : Zlib(plain);

        var (status, reply) = await PostAsync("/callbacks/aliyun", wire, encoding);

        status.ShouldBe(200, reply);
        reply.ShouldContain("\"code\":0");
        var (found, message) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}:13800000201");
        found.ShouldBe(200);
        message.GetProperty("status").GetString().ShouldBe("delivered");
        (await fixture.Host.GetJsonAsync($"/messages/aliyun/{biz}b:13800000202")).Json.GetProperty("status").GetString().ShouldBe("failed");

        var record = await RecordOfMessageAsync($"{biz}:13800000201");
        record.Body.ShouldBe(wire);
        Encoding(record).ShouldBe(encoding);
        record.Outcome.ShouldBe(RequestOutcomes.Accepted);
        record.ItemCount.ShouldBe(2);
    }

    [Fact]
    public async Task a_zip_bomb_is_refused_with_413_after_the_decoded_limit_and_kept()
    {
        // 64 MiB of spaces inside a JSON array: about 64 KiB on the wire, 64 times Ledger:MaxBodyBytes decoded.
        var plain = new byte[64 * 1024 * 1024];
        plain.AsSpan().Fill((byte)' ');
        plain[0] = (byte)'[';
        plain[^1] = (byte)']';
        var wire = Gzip(plain);
        wire.Length.ShouldBeLessThan(1024 * 1024);

        var (status, problem) = await PostAsync("/callbacks/aliyun", wire, "gzip");

        status.ShouldBe(413, problem);
        var json = JsonDocument.Parse(problem).RootElement;
        json.GetProperty("reason").GetString().ShouldBe(RejectionReasons.TooLarge);
        var record = await RecordAsync(json.GetProperty("requestId").GetGuid());
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(RejectionReasons.TooLarge);
        record.BodyTruncated.ShouldBeTrue();
        Encoding(record).ShouldBe("gzip");
        record.Body.Length.ShouldBeGreaterThan(0);
        record.Body.Length.ShouldBeLessThanOrEqualTo(wire.Length);
        record.Body.ShouldBe(wire[..record.Body.Length], "the stored bytes are the wire's, as far as they were read");
        await using var session = fixture.Store.QuerySession();
        (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(record.Id))).ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip, gzip")]
    public async Task an_encoding_the_ledger_does_not_decode_gets_415_naming_it_and_is_kept(string encoding)
    {
        var wire = Gzip(Encoding8(Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000203", true))));

        var (status, problem) = await PostAsync("/callbacks/aliyun", wire, encoding);

        status.ShouldBe(415, problem);
        var json = JsonDocument.Parse(problem).RootElement;
        json.GetProperty("reason").GetString().ShouldBe(RejectionReasons.UnsupportedEncoding);
        json.GetProperty("detail").GetString()!.ShouldContain($"'{encoding}'");
        json.GetProperty("detail").GetString()!.ShouldContain("gzip, deflate");
        var record = await RecordAsync(json.GetProperty("requestId").GetGuid());
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(RejectionReasons.UnsupportedEncoding);
        record.Body.ShouldBe(wire);
        Encoding(record).ShouldBe(encoding);
    }

    [Fact]
    public async Task a_body_that_is_not_the_gzip_it_claims_gets_400_and_is_kept()
    {
        var wire = Encoding8(Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000204", true)));

        var (status, problem) = await PostAsync("/callbacks/aliyun", wire, "gzip");

        status.ShouldBe(400, problem);
        var json = JsonDocument.Parse(problem).RootElement;
        json.GetProperty("reason").GetString().ShouldBe(RejectionReasons.UnsupportedEncoding);
        json.GetProperty("detail").GetString()!.ShouldContain("not valid gzip");
        var record = await RecordAsync(json.GetProperty("requestId").GetGuid());
        record.Body.ShouldBe(wire);
        Encoding(record).ShouldBe("gzip");
    }

    [Fact]
    public async Task an_uncompressed_callback_is_stored_without_a_content_encoding()
    {
        var biz = Payloads.NewId();
        (await fixture.Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, "13800000205", true)))).Status.ShouldBe(200);
        var record = await RecordOfMessageAsync($"{biz}:13800000205");
        record.Headers.ShouldNotContain(h => h.Name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The replay's decoder reads what ASP.NET Core's providers read, encoding by encoding.</summary>
    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void the_replay_decoder_reads_what_the_middleware_reads(string encoding)
    {
        var plain = Encoding8(string.Concat(Enumerable.Repeat("用户接收成功 DELIVRD ", 500)));
        var framework = new RequestDecompressionOptions().DecompressionProviders;
        framework.Keys.Order().ShouldBe(ContentEncodings.Decoded.Order());
        byte[] wire;
        using (var output = new MemoryStream())
        {
            using (Stream encoder = encoding switch
            {
                "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
                "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
                _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
            })
            {
                encoder.Write(plain);
            }

            wire = output.ToArray();
        }

        using var middleware = framework[encoding].GetDecompressionStream(new MemoryStream(wire));
        using var read = new MemoryStream();
        middleware.CopyTo(read);
        read.ToArray().ShouldBe(plain);
        ContentEncodings.Decode(wire, encoding, plain.Length).Body.ShouldBe(plain);
        ContentEncodings.Decode(wire, encoding, plain.Length - 1).Problem.ShouldNotBeNull().ShouldContain("more than");
    }

    private static byte[] Encoding8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
