using System.Text;
using System.Text.Json;
using Alba;

namespace Ledger.Tests.Support;

/// <summary>Plain HTTP calls through the real pipeline, returning status and body.</summary>
public static class LedgerApi
{
    public static async Task<(int Status, string Body, string? ContentType)> PostAsync(this IAlbaHost host, string url, string body, string contentType = "application/json", string? apiKey = null)
    {
        var client = host.Server.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await client.PostAsync(url, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The API keys of the shared host (Accounts/apikeys.json).</summary>
    public const string SupportKey = "test-support-key";
    public const string FinanceKey = "test-finance-key";
    public const string AdminKey = "test-admin-key";

    /// <summary>A GET of the read API as support (masked phones, as most views show them) unless another key, or none (null), is given.</summary>
    public static async Task<(int Status, JsonElement Json)> GetJsonAsync(this IAlbaHost host, string url, string? apiKey = SupportKey)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, json);
    }

    /// <summary>A GET with the given API key (or none), returning status, body text and content type.</summary>
    public static async Task<(int Status, string Body, string? ContentType)> GetRawAsync(this IAlbaHost host, string url, string? apiKey)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }
}
