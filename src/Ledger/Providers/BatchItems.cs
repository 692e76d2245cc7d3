namespace Ledger.Providers;

/// <summary>
/// The items of one push as a provider's reader reads them (docs/rules.md, partial batches): each good
/// report or reply is kept with its position in the request, each unreadable one is refused on its own. A
/// batch with at least one good item is accepted (the provider gets its success reply: a retry cannot fix a
/// bad item, and the good ones must not wait for it); the refused ones are quarantined with their index and
/// reason. A single report that cannot be read, or a batch of which nothing can, is refused whole.
/// </summary>
/// <param name="isBatch">The body is a list (an array), so a refusal names its item.</param>
public sealed class BatchItems(bool isBatch)
{
    /// <summary>Items one request may carry: beyond it the request is refused whole (a provider's batch is at most a few hundred).</summary>
    public const int MaxItems = 1000;

    /// <summary>Longest message key, reply id, phone or out_id kept in an indexed place: longer ones are refused as <see cref="RejectionReasons.TooLong"/>.</summary>
    public const int MaxKeyLength = 256;

    private readonly List<CallbackItem> _reports = [];
    private readonly List<ReplyItem> _replies = [];
    private readonly List<RefusedItem> _refused = [];

    public static Rejection TooMany(int count) => new(RejectionReasons.TooManyItems,
        $"The request carries {count} items; this ledger takes at most {MaxItems} per request.", 413);

    public delegate CallbackItem? ItemRead(out Rejection? rejection);

    /// <summary>
    /// Reads the item at <paramref name="index"/>: kept when read, else refused with the reader's reason. A reader
    /// that fails on text it cannot decode (a lone surrogate escape) refuses that item, not the whole push.
    /// </summary>
    public void Read(int index, string rawItem, ItemRead read)
    {
        try
        {
            if (read(out var rejection) is { } item)
            {
                Add(item, index);
            }
            else
            {
                Refuse(index, rejection ?? Rejection.Malformed("The item could not be read."), rawItem);
            }
        }
        catch (InvalidOperationException e)
        {
            Refuse(index, Rejection.Malformed($"The item holds text that cannot be decoded: {e.Message}"), rawItem);
        }
    }

    /// <param name="index">The item's position in the request.</param>
    public void Add(CallbackItem item, int index) => _reports.Add(item with { Index = index });

    public void Add(ReplyItem item) => _replies.Add(item);

    public void Refuse(int index, Rejection rejection, string? rawItem = null) => _refused.Add(new RefusedItem(index, rejection, rawItem));

    /// <summary>
    /// The bounds every reading keeps (issue: bounded inputs everywhere): an item whose message key, reply id,
    /// phone or out_id is longer than <see cref="MaxKeyLength"/> is refused on its own (those values go into
    /// indexed columns, which cannot hold arbitrarily long text); a push left with nothing is refused whole.
    /// Applied at the edge and by replays alike, so both read a request the same way.
    /// </summary>
    public static AdapterResult Bounded(AdapterResult result)
    {
        if (result is not AdapterResult.Accepted accepted || !accepted.Items.Any(TooLong) && !accepted.ReplyItems.Any(TooLong))
        {
            return result;
        }

        var isBatch = accepted.Items.Count + accepted.ReplyItems.Count + accepted.RefusedItems.Count > 1;
        var batch = new BatchItems(isBatch);
        foreach (var refused in accepted.RefusedItems)
        {
            batch._refused.Add(refused);
        }

        for (var i = 0; i < accepted.Items.Count; i++)
        {
            var item = accepted.Items[i];
            if (TooLong(item))
            {
                batch.Refuse(item.Index ?? i, new Rejection(RejectionReasons.TooLong,
                    $"The message key, phone or out_id is longer than the {MaxKeyLength} characters this ledger keeps.", 400), item.RawItem);
            }
            else
            {
                batch.Add(item, item.Index ?? i);
            }
        }

        for (var i = 0; i < accepted.ReplyItems.Count; i++)
        {
            var reply = accepted.ReplyItems[i];
            if (TooLong(reply))
            {
                batch.Refuse(reply.Index ?? i, new Rejection(RejectionReasons.TooLong,
                    $"The reply id or phone is longer than the {MaxKeyLength} characters this ledger keeps.", 400), reply.RawItem);
            }
            else
            {
                batch.Add(reply with { Index = reply.Index ?? i });
            }
        }

        batch._refused.Sort((a, b) => a.Index.CompareTo(b.Index));
        return batch.Result(accepted.Reply, accepted.Nonce);
    }

    private static bool TooLong(CallbackItem item) =>
        item.MessageKey.Length > MaxKeyLength || item.Report.Phone?.Length > MaxKeyLength || item.Report.OutId?.Length > MaxKeyLength;

    private static bool TooLong(ReplyItem item) => item.ReplyId.Length > MaxKeyLength || item.Phone?.Length > MaxKeyLength;

    /// <summary>Accepted with what was read, or the refusal of the whole push when nothing was.</summary>
    public AdapterResult Result(ProviderReply reply, NonceClaim? nonce = null)
    {
        if (_reports.Count == 0 && _replies.Count == 0)
        {
            if (_refused.Count == 0)
            {
                return AdapterResult.Reject(new Rejection(RejectionReasons.EmptyBatch, "The request holds no items.", 400));
            }

            var first = _refused[0];
            return AdapterResult.Reject(isBatch ? first.Rejection with { Detail = $"Item {first.Index}: {first.Rejection.Detail}" } : first.Rejection);
        }

        return new AdapterResult.Accepted(_reports, reply, nonce, _replies.Count == 0 ? null : _replies, _refused.Count == 0 ? null : _refused);
    }
}
