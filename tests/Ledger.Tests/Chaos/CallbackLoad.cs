using System.Collections.Concurrent;
using System.Text;
using Ledger.Tests.Support;

namespace Ledger.Tests.Chaos;

/// <summary>One report the load sent: its Tencent sid (the stream is `tencent:{sid}`), the exact item, and what came back.</summary>
public sealed record SentReport(string Sid, string Item, int? Status);

/// <summary>
/// Concurrent senders of unique one-item Tencent reports, each sent once and never retried, with every
/// answer logged: a 2xx is an acknowledgement the ledger must honour. The target can be switched (a
/// restarted service listens on a new port).
/// </summary>
public sealed class CallbackLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SentReport> _sent = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Task[] _workers;
    private volatile string _baseUrl;
    private int _acknowledged;

    public CallbackLoad(string baseUrl, int concurrency = 16)
    {
        _baseUrl = baseUrl;
        _workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public string BaseUrl
    {
        set => _baseUrl = value;
    }

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    public IReadOnlyCollection<SentReport> Sent => _sent;

    /// <summary>Answers by status code ("exception" for no answer), for the test output.</summary>
    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    public int Count(int status) => _outcomes.GetValueOrDefault(status.ToString());

    /// <summary>Waits (bounded) until <paramref name="more"/> further acknowledgements arrived.</summary>
    public async Task WaitForAcknowledgementsAsync(int more, TimeSpan timeout)
    {
        var target = Acknowledged + more;
        using var deadline = new CancellationTokenSource(timeout);
        while (Acknowledged < target)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Only {Acknowledged} of {target} acknowledgements within {timeout.TotalSeconds} s; outcomes: {Describe()}");
            }

            await Task.Delay(50);
        }
    }

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

    public string Describe() => string.Join(", ", _outcomes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}"));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var sid = "chaos-" + Guid.NewGuid().ToString("N");
            var item = Payloads.TencentItem(sid, "SUCCESS");
            int? status = null;
            try
            {
                using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("[" + item + "]"));
                content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                using var response = await _client.PostAsync($"{_baseUrl}/callbacks/tencent", content);
                status = (int)response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // No answer (refused, reset, timed out): not acknowledged, though it may have been stored.
            }

            _sent.Enqueue(new SentReport(sid, item, status));
            _outcomes.AddOrUpdate(status?.ToString() ?? "exception", 1, (_, n) => n + 1);
            if (status is >= 200 and < 300)
            {
                Interlocked.Increment(ref _acknowledged);
            }
            else
            {
                await Task.Delay(20); // the ledger is down or refusing: a provider backs off too
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            try
            {
                await StopAsync();
            }
            catch (TimeoutException)
            {
                // disposing after a failure: nothing more to do
            }
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
