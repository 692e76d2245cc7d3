using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ledger.Tests.Providers.Vonage;

namespace Ledger.Tests.Chaos;

/// <summary>
/// One signed report the load sent (a Vonage receipt with its own nonce): its message id and the answer
/// to every attempt of its identical bytes ("200", "503", "401 reused_nonce", "exception"…), in order.
/// </summary>
public sealed record SignedSent(string MessageId, IReadOnlyList<string> Attempts)
{
    public bool Acknowledged => Attempts.Count > 0 && Attempts[^1].StartsWith('2');

    /// <summary>An attempt after the first was refused as a replay of its own earlier, unacknowledged attempt.</summary>
    public bool RetryRefusedAsReused => Attempts.Skip(1).Any(a => a.Contains("reused_nonce", StringComparison.Ordinal));

    /// <summary>The id and its attempts, repeats counted: `0B12…: exception ×40 → 401 reused_nonce`.</summary>
    public override string ToString()
    {
        var runs = new List<(string Outcome, int Count)>();
        foreach (var attempt in Attempts)
        {
            runs = runs.Count > 0 && runs[^1].Outcome == attempt ? [.. runs[..^1], (attempt, runs[^1].Count + 1)] : [.. runs, (attempt, 1)];
        }

        return $"{MessageId}: {string.Join(" → ", runs.Select(r => r.Count == 1 ? r.Outcome : $"{r.Outcome} ×{r.Count}"))}";
    }
}

/// <summary>
/// Concurrent senders of unique Vonage delivery receipts signed with a nonce (md5hash, `signed` account),
/// each retried as Vonage retries: the identical bytes, the same nonce and timestamp, until an answer
/// that is not a 5xx or a dropped connection. The target can be switched (a restarted service listens on a new port).
/// </summary>
public sealed class SignedCallbackLoad : SenderLoad
{
    /// <summary>The secret of the service's `vonage/signed` account (<see cref="Environment"/>).</summary>
    public const string Secret = "chaos-signature-secret";

    /// <summary>The account the service under test needs, as environment variables.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["Ledger__Providers__vonage__signed__Secrets__0"] = Secret,
        ["Ledger__Providers__vonage__signed__SignatureMethod"] = "md5hash",
    };

    /// <summary>How long one report is retried before the sender gives up on it (well inside the signature's 300 s window).</summary>
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<SignedSent> _sent = new();

    public SignedCallbackLoad(string baseUrl, int concurrency = 16)
        : base(baseUrl) => Start(concurrency);

    public IReadOnlyCollection<SignedSent> Sent => _sent;

    /// <summary>On stop no new reports; the ones under way are retried to an answer (or for <see cref="RetryFor"/>).</summary>
    protected override TimeSpan StopWithin => RetryFor + TimeSpan.FromSeconds(30);

    protected override async Task SendNextAsync()
    {
        var id = VonageRequests.NewId();
        var body = Encoding.UTF8.GetBytes(VonageRequests.Encoded(VonageRequests.Signed(VonageRequests.Receipt(id), Secret)));
        var attempts = new List<string>();
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            var outcome = await SendAsync(body);
            attempts.Add(outcome);
            Counted(attempts.Count == 1 ? outcome : "retry " + outcome);
            if (outcome[0] is '2' or '4' || DateTimeOffset.UtcNow - started > RetryFor)
            {
                break;
            }

            await Task.Delay(50); // the ledger is down or refusing: Vonage backs off too
        }

        _sent.Enqueue(new SignedSent(id, attempts));
        if (attempts[^1].StartsWith('2'))
        {
            Acknowledge();
        }
    }

    /// <summary>The answer as "200", "503", "401 reused_nonce" (a 4xx with its reason), or "exception" for none.</summary>
    private async Task<string> SendAsync(byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
            using var response = await Client.PostAsync($"{BaseUrl}/callbacks/vonage/signed", content);
            var status = (int)response.StatusCode;
            if (status is >= 400 and < 500)
            {
                var text = await response.Content.ReadAsStringAsync();
                try
                {
                    return JsonDocument.Parse(text).RootElement.TryGetProperty("reason", out var reason) ? $"{status} {reason.GetString()}" : $"{status}";
                }
                catch (JsonException)
                {
                    return $"{status}";
                }
            }

            return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return "exception"; // no answer: not acknowledged, though it may have been stored
        }
    }
}
