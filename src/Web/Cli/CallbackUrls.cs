using Ledger.Providers;
using System.Text;
using Ledger.Providers.Aliyun;

namespace Ledger.Web.Cli;

/// <summary>One URL to paste into a provider's console.</summary>
public sealed record CallbackUrl(string Provider, string Account, string Url);

/// <summary>
/// The exact callback URL of every configured provider account: `{PublicBaseUrl}/callbacks/{provider}`,
/// `/{account}` unless it is `default`, and `?token=` when the account has a token, each part
/// percent-encoded. `--probe` calls the URLs the way the provider's own check does.
/// </summary>
public static class CallbackUrls
{
    public static IReadOnlyList<CallbackUrl> For(LedgerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            throw new InvalidOperationException("Ledger__PublicBaseUrl is not set: it is the address providers call (e.g. https://ledger.example.com).");
        }

        var baseUrl = options.PublicBaseUrl.Trim().TrimEnd('/');
        var urls = new List<CallbackUrl>();
        foreach (var (provider, accounts) in options.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (account, settings) in accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                urls.Add(new CallbackUrl(provider.ToLowerInvariant(), account, Build(baseUrl, provider, account, settings.Token)));
            }
        }

        return urls;
    }

    public static string Build(string publicBaseUrl, string provider, string account, string? token)
    {
        var url = new StringBuilder(publicBaseUrl.Trim().TrimEnd('/'))
            .Append("/callbacks/").Append(Uri.EscapeDataString(provider.Trim().ToLowerInvariant()));
        if (!string.Equals(account.Trim(), "default", StringComparison.OrdinalIgnoreCase))
        {
            url.Append('/').Append(Uri.EscapeDataString(account.Trim()));
        }

        if (!string.IsNullOrEmpty(token))
        {
            url.Append("?token=").Append(Uri.EscapeDataString(token));
        }

        return url.ToString();
    }

    /// <summary>
    /// Alibaba checks a callback URL with a GET and expects its probe reply; that probe is recorded as a
    /// probe, not a report. The other providers get a test report signed as they would sign it (see
    /// <see cref="TestReports"/>): recorded under a `ledger-probe-…` message of its own, it changes no
    /// real message. The generic gateway's scheme is configured per account and is not probed.
    /// </summary>
    public static async Task<string> ProbeAsync(CallbackUrl url, HttpClient client, ProviderAccount? account = null, DateTimeOffset? now = null, CancellationToken ct = default)
    {
        try
        {
            if (url.Provider == "aliyun")
            {
                using var response = await client.GetAsync(url.Url, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                return response.IsSuccessStatusCode && body == AliyunAdapter.ProbeReply.Body
                    ? $"ok ({(int)response.StatusCode} {body})"
                    : $"FAILED ({(int)response.StatusCode} {Truncate(body)})";
            }

            using var request = TestReports.For(url, account ?? new ProviderAccount(), now ?? DateTimeOffset.UtcNow);
            if (request is null)
            {
                return "skipped (the generic gateway's signature scheme is configured per account; send a signed report from the gateway)";
            }

            using var answer = await client.SendAsync(request, ct);
            var reply = await answer.Content.ReadAsStringAsync(ct);
            return answer.IsSuccessStatusCode
                ? $"ok ({(int)answer.StatusCode}{(reply.Length > 0 ? " " + Truncate(reply) : "")}; test report recorded under {TestReports.KeyPrefix}…)"
                : $"FAILED ({(int)answer.StatusCode} {Truncate(reply)})";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"FAILED ({e.Message})";
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
