using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Ingest;
using Ledger.Tests.Support;
using Marten;
using Npgsql;

namespace Ledger.Tests.Storage;

/// <summary>
/// A raw request's body is stored as its text when it is UTF-8 a jsonb string can hold, and as base64
/// otherwise: either way, and for records stored by earlier builds (base64 only), it reads back as the
/// bytes that came.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class a_raw_request_keeps_its_body_byte_for_byte(LedgerFixture fixture)
{
    public static TheoryData<string, byte[], bool> Bodies => new()
    {
        { "json with Chinese text", Encoding.UTF8.GetBytes("[{\"err_msg\":\"用户接收成功\",\"biz_id\":\"x\"}]"), true },
        { "a byte-order mark first", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"a\":1}")], true },
        { "an emoji (four-byte UTF-8)", Encoding.UTF8.GetBytes("text=hi 👋&x=\r\n\t"), true },
        { "a NUL byte (jsonb holds no NUL)", [.. Encoding.UTF8.GetBytes("{\"a\":\""), 0x00, .. Encoding.UTF8.GetBytes("\"}")], false },
        { "invalid UTF-8", [0x7B, 0xFF, 0xFE, 0x7D], false },
        { "a lone surrogate encoded (invalid UTF-8)", [0xED, 0xA0, 0x80], false },
        { "gzip bytes", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03], false },
        { "empty", [], false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task every_body_reads_back_as_the_bytes_that_came(string name, byte[] body, bool storedAsText)
    {
        var record = new RawRequestRecord { Id = Guid.CreateVersion7(), Provider = "aliyun", Method = "POST", Path = "/callbacks/aliyun", Body = body, ReceivedAt = DateTimeOffset.UtcNow };
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Store(record);
            await session.SaveChangesAsync();
        }

        (await LoadAsync(record.Id)).Body.ShouldBe(body, name);
        var stored = await StoredJsonAsync(record.Id);
        stored.TryGetProperty("BodyText", out var text).ShouldBe(storedAsText, name);
        stored.TryGetProperty("Body", out _).ShouldBe(!storedAsText, name);
        if (storedAsText)
        {
            Encoding.UTF8.GetBytes(text.GetString()!).ShouldBe(body);
        }

        // A record of an earlier build held every body as base64 under `Body`: it reads the same.
        await ExecuteAsync(
            $"update {Table} set data = (data - 'BodyText') || jsonb_build_object('Body', $2::text) where id = $1",
            record.Id, Convert.ToBase64String(body));
        (await LoadAsync(record.Id)).Body.ShouldBe(body, name);
    }

    [Fact]
    public async Task a_callback_through_the_writer_is_stored_as_its_text_and_a_binary_one_as_its_bytes()
    {
        var biz = Payloads.NewId();
        var text = Payloads.Array(Payloads.AliyunItem(biz, "13800000301", true));
        var (status, _, _) = await fixture.Host.PostAsync("/callbacks/aliyun", text);
        status.ShouldBe(200);
        var (_, history) = await fixture.Host.GetJsonAsync($"/messages/aliyun/{Uri.EscapeDataString(biz + ":13800000301")}/history");
        var accepted = history.GetProperty("events")[0].GetProperty("requestId").GetGuid();
        (await LoadAsync(accepted)).Body.ShouldBe(Encoding.UTF8.GetBytes(text));
        (await StoredJsonAsync(accepted)).GetProperty("BodyText").GetString().ShouldBe(text);

        // Not UTF-8: refused, and kept as evidence byte for byte.
        byte[] binary = [0x5B, 0x7B, 0xFF, 0x00, 0x7D, 0x5D];
        using var client = fixture.Host.Server.CreateClient();
        using var content = new ByteArrayContent(binary);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/callbacks/aliyun", content);
        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        var refused = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetGuid();
        (await LoadAsync(refused)).Body.ShouldBe(binary);
        (await StoredJsonAsync(refused)).TryGetProperty("BodyText", out _).ShouldBeFalse();
    }

    private string Table => Ledger.Projections.InlineAppender.MartenTable(fixture.Store, typeof(RawRequestRecord)).Identifier.QualifiedName;

    private async Task<RawRequestRecord> LoadAsync(Guid id)
    {
        await using var session = fixture.Store.QuerySession();
        return (await session.LoadAsync<RawRequestRecord>(id)).ShouldNotBeNull();
    }

    private async Task<JsonElement> StoredJsonAsync(Guid id)
    {
        await using var connection = fixture.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select data::text from {Table} where id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement.Clone();
    }

    private async Task ExecuteAsync(string sql, Guid id, string value)
    {
        await using var connection = fixture.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}
