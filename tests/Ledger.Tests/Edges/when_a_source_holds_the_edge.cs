using System.Net;
using System.Security.Cryptography;
using Alba;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Storage;
using Ledger.Tests.Support;
using Ledger.Web.Ingest;
using Ledger.Web.Retention;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Tests.Edges;

/// <summary>
/// Edge resources bounded: a body is buffered as it arrives and must arrive within a time; a source may hold
/// only so many requests at once; a refused request's body is kept up to a documented size with its length and
/// SHA-256; refused requests are deleted after `Ledger__Retention__QuarantineDays`; an IPv6 source is its /64.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_source_holds_the_edge(LedgerFixture fixture)
{
    [Fact]
    public void an_ipv6_source_is_counted_by_its_64_and_an_ipv4_one_by_its_address()
    {
        SourceRateLimit.Source(IPAddress.Parse("2001:db8:1:2:aaaa::1")).ShouldBe(SourceRateLimit.Source(IPAddress.Parse("2001:db8:1:2:ffff:1:2:3")));
        SourceRateLimit.Source(IPAddress.Parse("2001:db8:1:3::1")).ShouldNotBe(SourceRateLimit.Source(IPAddress.Parse("2001:db8:1:2::1")));
        SourceRateLimit.Source(IPAddress.Parse("203.0.113.7")).ShouldBe("203.0.113.7");
        SourceRateLimit.Source(IPAddress.Parse("::ffff:203.0.113.7")).ShouldBe("203.0.113.7");
        SourceRateLimit.Source(IPAddress.Parse("203.0.113.8")).ShouldNotBe(SourceRateLimit.Source(IPAddress.Parse("203.0.113.7")));
    }

    [Fact]
    public async Task a_source_holding_its_share_of_requests_gets_429_for_one_more()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "cc" + Payloads.NewId()[..10],
            new Dictionary<string, string?> { ["Ledger:RateLimit:ConcurrentPerSource"] = "1" });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800004001", success: true));

        var held = new HeldBody(System.Text.Encoding.UTF8.GetBytes(body), release.Task);
        var slow = Post(host, held);
        await held.Waiting.WaitAsync(TimeSpan.FromSeconds(30)); // the slow one holds its permit while its body trickles in
        var another = await Post(host, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
        another.Status.ShouldBe(429);
        another.Body.ShouldContain("at once");

        release.SetResult();
        (await slow).Status.ShouldBe(200);
        (await Post(host, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)))).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_body_that_does_not_arrive_in_time_is_refused_with_408_and_kept_as_far_as_it_came()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "bt" + Payloads.NewId()[..10],
            new Dictionary<string, string?> { ["Ledger:BodyTimeoutSeconds"] = "1" });
        var never = new TaskCompletionSource();

        var (status, text) = await Post(host, new HeldBody("[{\"biz_id\":"u8.ToArray(), never.Task, firstBytes: 5));

        status.ShouldBe(408, text);
        var record = await QuarantinedAsync(host, text);
        record.Reason.ShouldBe(RejectionReasons.BodyTimeout);
        record.Body.ShouldBe("[{\"bi"u8.ToArray());
        record.BodyTruncated.ShouldBeTrue();
    }

    [Fact]
    public async Task a_refused_request_keeps_the_start_of_a_large_body_with_its_length_and_sha256()
    {
        var body = new byte[200_000];
        Random.Shared.NextBytes(body);

        var result = await fixture.Host.Scenario(x =>
        {
            x.Post.ByteArray(body).ToUrl("/callbacks/no-such-provider");
            x.IgnoreStatusCode();
        });

        result.Context.Response.StatusCode.ShouldBe(404);
        var record = await QuarantinedAsync(fixture.Host, result.ReadAsText());
        record.Body.Length.ShouldBe(64 * 1024);
        record.Body.ShouldBe(body[..(64 * 1024)]);
        record.BodyTruncated.ShouldBeTrue();
        record.BodyLength.ShouldBe(200_000);
        record.BodySha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    [Fact]
    public async Task refused_requests_older_than_the_retention_are_deleted_and_accepted_ones_never()
    {
        await using var host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "qr" + Payloads.NewId()[..10],
            new Dictionary<string, string?> { ["Ledger:Retention:QuarantineDays"] = "30" });
        var commits = host.Services.GetRequiredService<CommitQueue>();
        var old = DateTimeOffset.UtcNow.AddDays(-31);
        var refused = Record(old);
        var accepted = Record(old);
        var recent = Record(DateTimeOffset.UtcNow.AddDays(-29));
        await commits.CommitAsync(IngestWrite.Quarantined(refused, Rejection.Unverified(RejectionReasons.BadToken, "test")));
        await commits.CommitAsync(IngestWrite.Quarantined(recent, Rejection.Unverified(RejectionReasons.BadToken, "test")));
        await commits.CommitAsync(IngestWrite.Accepted(accepted, [new CallbackItem("kept-" + Payloads.NewId(), "{}",
            new Report(DeliveryStatus.Delivered, true, null, null, null, null, null, null, 1, "test-1"))]));

        var (_, deleted) = await host.Services.GetRequiredService<Housekeeping>().RunOnceAsync();

        deleted.ShouldBe(1);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        (await session.LoadAsync<RawRequestRecord>(refused.Id)).ShouldBeNull();
        (await session.LoadAsync<RawRequestRecord>(recent.Id)).ShouldNotBeNull();
        (await session.LoadAsync<RawRequestRecord>(accepted.Id)).ShouldNotBeNull();
        // The refusal itself stays counted (the quarantine event and the daily row).
        (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(refused.Id))).ShouldNotBeEmpty();
    }

    private static RawRequestRecord Record(DateTimeOffset receivedAt) => new()
    {
        Id = Guid.CreateVersion7(receivedAt),
        Provider = "tencent",
        Account = "default",
        Method = "POST",
        ReceivedAt = receivedAt,
        Body = "[]"u8.ToArray(),
    };

    private static async Task<RawRequestRecord> QuarantinedAsync(IAlbaHost host, string problem)
    {
        var id = System.Text.Json.JsonDocument.Parse(problem).RootElement.GetProperty("requestId").GetGuid();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.LoadAsync<RawRequestRecord>(id)).ShouldNotBeNull();
    }

    private static async Task<(int Status, string Body)> Post(IAlbaHost host, Stream body)
    {
        var result = await host.Scenario(x =>
        {
            x.Post.Url("/callbacks/aliyun");
            x.ConfigureHttpContext(c =>
            {
                c.Request.Body = body;
                c.Request.ContentType = "application/json";
            });
            x.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, result.ReadAsText());
    }

    /// <summary>A body whose first bytes come at once and the rest only when <paramref name="release"/> completes (a slow sender).</summary>
    private sealed class HeldBody(byte[] bytes, Task release, int firstBytes = 1) : Stream
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        /// <summary>Completes when the reader has the first bytes and waits for the rest.</summary>
        public Task Waiting => _waiting.Task;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_position >= firstBytes)
            {
                _waiting.TrySetResult();
                await release.WaitAsync(ct);
            }

            var count = Math.Min(buffer.Length, _position < firstBytes ? firstBytes - _position : bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => _position = value == 0 ? 0 : throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
