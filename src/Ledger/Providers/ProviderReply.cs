namespace Ledger.Providers;

/// <summary>The exact HTTP answer a provider expects once its report is durable.</summary>
public sealed record ProviderReply(int StatusCode, string ContentType, string Body)
{
    public static ProviderReply Json(string body) => new(200, "application/json; charset=utf-8", body);

    public static ProviderReply Xml(string body) => new(200, "application/xml; charset=utf-8", body);

    public static ProviderReply Empty(int statusCode = 200) => new(statusCode, "text/plain; charset=utf-8", string.Empty);
}
