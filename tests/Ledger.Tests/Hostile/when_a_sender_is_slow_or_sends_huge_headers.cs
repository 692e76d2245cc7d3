using System.Net.Sockets;
using System.Text;
using Ledger.Tests.Chaos;
using Ledger.Tests.Support;
using Xunit.Abstractions;

namespace Ledger.Tests.Hostile;

/// <summary>Kestrel's limits, on the real server (the in-process test server has none).</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_sender_is_slow_or_sends_huge_headers(LedgerFixture fixture, ITestOutputHelper output)
{
    private static async Task<string> ExchangeAsync(string baseUrl, Func<NetworkStream, Task> send, TimeSpan timeout)
    {
        var uri = new Uri(baseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        await send(stream);
        var buffer = new byte[8192];
        using var cancel = new CancellationTokenSource(timeout);
        var read = 0;
        try
        {
            read = await stream.ReadAsync(buffer, cancel.Token);
        }
        catch (IOException)
        {
            // reset by the server: also an answer
        }

        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task headers_that_never_finish_are_cut_off_and_oversized_headers_get_431()
    {
        // The service process uses its default schema, which no other test on this cluster uses.
        await using var service = await ServiceUnderTest.StartAsync(fixture.ConnectionString, output.WriteLine);

        // A sender that starts a request and never finishes its headers: closed after the 10 s limit.
        var started = DateTime.UtcNow;
        var slow = await ExchangeAsync(service.BaseUrl,
            s => s.WriteAsync(Encoding.ASCII.GetBytes("POST /callbacks/aliyun HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")).AsTask(),
            TimeSpan.FromSeconds(30));
        var waited = DateTime.UtcNow - started;
        output.WriteLine($"slow sender answered after {waited.TotalSeconds:F1} s: {slow.Split('\r')[0]}");
        waited.ShouldBeLessThan(TimeSpan.FromSeconds(25));
        (slow.Length == 0 || slow.StartsWith("HTTP/1.1 408", StringComparison.Ordinal)).ShouldBeTrue(slow);

        // 70 KiB of headers, past the 64 KiB limit.
        var huge = await ExchangeAsync(service.BaseUrl,
            s => s.WriteAsync(Encoding.ASCII.GetBytes($"POST /callbacks/aliyun HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('a', 70 * 1024)}\r\nContent-Length: 0\r\n\r\n")).AsTask(),
            TimeSpan.FromSeconds(10));
        huge.ShouldStartWith("HTTP/1.1 431");
    }
}
