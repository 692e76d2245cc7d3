using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Ledger.Events;
using Ledger.Ingest;

namespace Ledger.Providers;

/// <summary>One reply from a phone (上行 / MO) inside a push, as a provider's reply reader read it.</summary>
/// <param name="ReplyId">The provider's id of the reply (<see cref="ReplyIds.Derived"/> where it gives none).</param>
/// <param name="RawItem">The item's text exactly as it stood in the request.</param>
/// <param name="Index">Its position in the request (null: its position in the accepted list).</param>
public sealed record ReplyItem(
    string ReplyId,
    string RawItem,
    string? Phone,
    string Content,
    ProviderTime? ProviderTime,
    string? InReplyTo,
    string? To,
    string ParserVersion,
    int? Index = null);

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

/// <summary>Why a push to the replies route was refused, beside the reasons reports share (<see cref="RejectionReasons"/>).</summary>
public static class ReplyRejections
{
    /// <summary>The body parses, but not as the provider's reply shape: kept in quarantine for a later parser.</summary>
    public const string UnknownShape = "unknown_reply_shape";

    public static Rejection Unknown(string detail) => new(UnknownShape, detail, 400);
}

/// <summary>
/// A JSON push of replies: an array of reply objects (or one object where the provider pushes one), read
/// like <see cref="JsonBatch"/>: an unreadable item is refused on its own, the others are accepted.
/// </summary>
public static class ReplyBatch
{
    public delegate ReplyItem? ReplyReader(JsonElement item, out Rejection? rejection);

    public static AdapterResult Read(JsonElement root, ReplyReader read, ProviderReply reply)
    {
        IReadOnlyList<JsonElement> elements = root.ValueKind switch
        {
            JsonValueKind.Object => [root],
            JsonValueKind.Array => [.. root.EnumerateArray()],
            _ => [],
        };
        if (elements.Count == 0)
        {
            return AdapterResult.Reject(root.ValueKind == JsonValueKind.Array
                ? new Rejection(RejectionReasons.EmptyBatch, "The JSON array holds no replies.", 400)
                : ReplyRejections.Unknown("The body must be a JSON object or array of replies."));
        }

        if (elements.Count > BatchItems.MaxItems)
        {
            return AdapterResult.Reject(BatchItems.TooMany(elements.Count));
        }

        var batch = new BatchItems(isBatch: elements.Count > 1 || root.ValueKind == JsonValueKind.Array);
        for (var i = 0; i < elements.Count; i++)
        {
            Rejection? rejection = null;
            var item = elements[i].ValueKind == JsonValueKind.Object ? read(elements[i], out rejection) : null;
            if (item is null)
            {
                batch.Refuse(i, rejection ?? ReplyRejections.Unknown("The item is not a JSON object."), elements[i].GetRawText());
            }
            else
            {
                batch.Add(item with { Index = i });
            }
        }

        return batch.Result(reply);
    }

    /// <summary>A field as text, null when absent or empty.</summary>
    public static string? Text(JsonElement item, string name) => JsonBatch.Text(item, name) is { Length: > 0 } text ? text : null;
}
