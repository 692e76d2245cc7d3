using System.Security.Cryptography;
using System.Text;
using Ledger.Events;
using Ledger.Ingest;

namespace Ledger.Providers;

/// <summary>One reply from a phone (上行 / MO) inside a push, as a provider's reply reader read it.</summary>
/// <param name="ReplyId">The provider's id of the reply (<see cref="ReplyIds.Derived"/> where it gives none).</param>
/// <param name="RawItem">The item's text exactly as it stood in the request.</param>
public sealed record ReplyItem(
    string ReplyId,
    string RawItem,
    string? Phone,
    string Content,
    ProviderTime? ProviderTime,
    string? InReplyTo,
    string? To,
    string ParserVersion);

/// <summary>
/// A provider that pushes replies from phones. Its reader verifies a request exactly as the provider's
/// status pushes are verified (same account settings, same checks) and reads the provider's reply shape;
/// like <see cref="IProviderAdapter.Handle"/> it is pure.
/// </summary>
public interface IReplyReader
{
    /// <summary>`POST /callbacks/{provider}/replies[/{account}]`: the request as a push of replies.</summary>
    AdapterResult HandleReply(RawCallback request, ProviderAccount account, DateTimeOffset now);
}

/// <summary>Where the replies route lives, for the edge and for replays that read a stored request again.</summary>
public static class ReplyRoutes
{
    /// <summary>The segment after `/callbacks/{provider}` (so `replies` is never an account name).</summary>
    public const string Segment = "replies";

    /// <summary>Whether a stored request came in on `/callbacks/{provider}/replies[/{account}]`.</summary>
    public static bool IsReplyPath(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var callbacks = Array.LastIndexOf(segments, "callbacks");
        return callbacks >= 0 && segments.Length > callbacks + 2 && segments[callbacks + 2] == Segment;
    }
}

/// <summary>Ids for replies whose provider gives them none (Tencent, Baidu, Ronglian).</summary>
public static class ReplyIds
{
    /// <summary>
    /// The same fields always give the same id, so a re-pushed reply lands in the same stream and counts as
    /// a duplicate; two replies that differ in any field (phone, time, text) get different ids.
    /// </summary>
    public static string Derived(params string?[] fields) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', fields.Select(f => f ?? ""))))).Substring(0, 32);
}
