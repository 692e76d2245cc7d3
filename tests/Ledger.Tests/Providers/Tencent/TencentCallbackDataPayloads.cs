using System.Text;

namespace Ledger.Tests.Providers.Tencent;

/// <summary>The usual Tencent reports wrapped as `{"callbackData":"&lt;Base64&gt;"}`.</summary>
public static class TencentCallbackDataPayloads
{
    public static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    public static string Wrap(string json) => Envelope(Base64(json));

    /// <summary>callbackData with the given text as it is, for values that are not Base64 of anything.</summary>
    public static string Envelope(string callbackData) => $$"""{"callbackData":"{{callbackData}}"}""";
}
