using Ledger.Events;

namespace Ledger.Providers;

/// <summary>One report inside a callback, keyed to its message.</summary>
/// <param name="Index">Its position in the request (null: its position in the accepted list, which is the same when nothing was refused).</param>
public sealed record CallbackItem(string MessageKey, string RawItem, Report Report, int? Index = null);

/// <summary>
/// One item of a batch push that could not be read (or may not be applied), refused on its own: the rest of
/// the batch is accepted (docs/rules.md, partial batches), and this one is quarantined with its index and reason.
/// </summary>
/// <param name="RawItem">The item's text as it stood in the request, when it could be cut out.</param>
/// <param name="MessageKey">The message it names, when it names one.</param>
public sealed record RefusedItem(int Index, Rejection Rejection, string? RawItem = null, string? MessageKey = null);

/// <summary>A nonce to be used once per account until <paramref name="ExpiresAt"/>.</summary>
public sealed record NonceClaim(string Value, DateTimeOffset ExpiresAt);

/// <summary>Why a request was refused. Codes are machine-readable and stable (they are stored).</summary>
public sealed record Rejection(string Reason, string Detail, int StatusCode)
{
    public static Rejection Malformed(string detail) => new(RejectionReasons.Malformed, detail, 400);

    public static Rejection Unverified(string reason, string detail) => new(reason, detail, 401);
}

public static class RejectionReasons
{
    public const string Malformed = "malformed";
    public const string MissingId = "missing_id";
    public const string BadTime = "bad_time";
    public const string EmptyBatch = "empty_batch";
    public const string WrongContentType = "wrong_content_type";
    public const string BadToken = "bad_token";
    public const string AddressNotAllowed = "address_not_allowed";
    public const string BadSignature = "bad_signature";

    /// <summary>A signed body hash (Twilio's bodySHA256) that the body does not match: changed after signing.</summary>
    public const string BodyHashMismatch = "body_hash_mismatch";
    public const string StaleTimestamp = "stale_timestamp";
    public const string ReusedNonce = "reused_nonce";
    public const string UnknownProvider = "unknown_provider";
    public const string UnknownAccount = "unknown_account";
    public const string TooLarge = "too_large";

    /// <summary>The body did not arrive in full within the time the ledger gives it (Ledger__BodyTimeoutSeconds).</summary>
    public const string BodyTimeout = "body_timeout";

    /// <summary>More items in one request than the ledger takes (<see cref="BatchItems.MaxItems"/>).</summary>
    public const string TooManyItems = "too_many_items";

    /// <summary>A key or value longer than the ledger stores in an indexed place (<see cref="BatchItems.MaxKeyLength"/>).</summary>
    public const string TooLong = "too_long";

    /// <summary>The message belongs to another account of the provider (docs/rules.md: accounts own their messages).</summary>
    public const string AccountMismatch = "account_mismatch";

    /// <summary>The store refused the request's data (a value PostgreSQL cannot hold): kept in quarantine instead.</summary>
    public const string Unstorable = "unstorable";

    /// <summary>A Content-Encoding the ledger does not decode (415), or a compressed body that does not decode (400).</summary>
    public const string UnsupportedEncoding = "unsupported_encoding";
}

/// <summary>What an adapter made of a request: reports to append, a probe to answer, or a rejection.</summary>
public abstract record AdapterResult
{
    /// <param name="Nonce">
    /// A signed nonce the request carried, when the provider signs one: the ingest path refuses the
    /// request if the same nonce was already used within its window (nonces are kept in PostgreSQL, so
    /// this holds across restarts and instances). Adapters stay pure: they only report it.
    /// </param>
    /// <param name="Replies">Replies from phones (上行 / MO) the push carried, each appended to a stream of its own.</param>
    /// <param name="Refused">Items of the batch that could not be read: quarantined one by one while the rest is appended.</param>
    public sealed record Accepted(IReadOnlyList<CallbackItem> Items, ProviderReply Reply, NonceClaim? Nonce = null,
        IReadOnlyList<ReplyItem>? Replies = null, IReadOnlyList<RefusedItem>? Refused = null) : AdapterResult
    {
        /// <summary>The replies, none when the push carried reports only.</summary>
        public IReadOnlyList<ReplyItem> ReplyItems => Replies ?? [];

        /// <summary>The items refused one by one, none when the whole push was read.</summary>
        public IReadOnlyList<RefusedItem> RefusedItems => Refused ?? [];
    }

    /// <summary>A push of replies (none of them reports).</summary>
    public static AdapterResult OfReplies(IReadOnlyList<ReplyItem> replies, ProviderReply reply, NonceClaim? nonce = null) =>
        new Accepted([], reply, nonce, replies);

    /// <summary>A connectivity check (Alibaba's GET): answered, recorded, appends no report.</summary>
    public sealed record Probe(ProviderReply Reply) : AdapterResult;

    public sealed record Rejected(Rejection Rejection) : AdapterResult;

    public static AdapterResult Reject(Rejection rejection) => new Rejected(rejection);
}
