using System.Collections.Concurrent;
using System.Text;
using Ledger.Tests.Support;

namespace Ledger.Tests.Chaos;

/// <summary>One report the load sent: its Tencent sid (the stream is `tencent:{sid}`), the exact item, and what came back.</summary>
public sealed record SentReport(string Sid, string Item, int? Status);

/// <summary>
/// Concurrent senders of unique one-item Tencent reports, each sent once and never retried, with every
/// answer logged.
/// </summary>
public sealed class CallbackLoad : SenderLoad
{
    private readonly ConcurrentQueue<SentReport> _sent = new();

    public CallbackLoad(string baseUrl, int concurrency = 16)
        : base(baseUrl) => Start(concurrency);

    public IReadOnlyCollection<SentReport> Sent => _sent;

    public int Count(int status) => Count(status.ToString());

    /// <summary>Waits (bounded) until some answer has the given status.</summary>
    public async Task WaitForStatusAsync(int status, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (Count(status) == 0)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"No {status} within {timeout.TotalSeconds} s; outcomes: {Describe()}");
            }

            await Task.Delay(50);
        }
    }

    protected override async Task SendNextAsync()
    {
        var sid = "chaos-" + Guid.NewGuid().ToString("N");
        var item = Payloads.TencentItem(sid, "SUCCESS");
        int? status = null;
        try
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("[" + item + "]"));
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await Client.PostAsync($"{BaseUrl}/callbacks/tencent", content);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // No answer (refused, reset, timed out): not acknowledged, though it may have been stored.
        }

        _sent.Enqueue(new SentReport(sid, item, status));
        Counted(status?.ToString() ?? "exception");
        if (status is >= 200 and < 300)
        {
            Acknowledge();
        }
        else
        {
            await Task.Delay(20); // the ledger is down or refusing: a provider backs off too
        }
    }
}
