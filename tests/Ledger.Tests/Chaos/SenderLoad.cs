using System.Collections.Concurrent;

namespace Ledger.Tests.Chaos;

/// <summary>
/// Concurrent senders, each sending its next report when the previous one is done, with every answer
/// counted: a 2xx is an acknowledgement the ledger must honour. The target can be switched (a restarted
/// service listens on a new port). What one sender sends, and how it retries, is the subclass's.
/// </summary>
public abstract class SenderLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private Task[] _workers = [];
    private volatile string _baseUrl;
    private int _acknowledged;

    protected SenderLoad(string baseUrl) => _baseUrl = baseUrl;

    public string BaseUrl
    {
        get => _baseUrl;
        set => _baseUrl = value;
    }

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    protected HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>How long <see cref="StopAsync"/> waits for the senders to finish what they are sending.</summary>
    protected virtual TimeSpan StopWithin => TimeSpan.FromSeconds(30);

    /// <summary>Answers counted by outcome, for the test output.</summary>
    public string Describe() => string.Join(", ", _outcomes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}"));

    public int Count(string outcome) => _outcomes.GetValueOrDefault(outcome);

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

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(StopWithin);
    }

    /// <summary>Starts the senders (from the subclass's constructor, once its own state is set).</summary>
    protected void Start(int concurrency) => _workers = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync))];

    /// <summary>Sends one report to its end (its answer, or its retries given up).</summary>
    protected abstract Task SendNextAsync();

    protected void Counted(string outcome) => _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    protected void Acknowledge() => Interlocked.Increment(ref _acknowledged);

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await SendNextAsync();
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

        Client.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
