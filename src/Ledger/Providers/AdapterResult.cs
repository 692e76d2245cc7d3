using Ledger.Events;

namespace Ledger.Providers;

/// <summary>One report inside a callback, keyed to its message.</summary>
public sealed record CallbackItem(string MessageKey, string RawItem, Report Report);

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
    public sealed record Accepted(IReadOnlyList<CallbackItem> Items, ProviderReply Reply, NonceClaim? Nonce = null,
        IReadOnlyList<ReplyItem>? Replies = null) : AdapterResult
    {
        /// <summary>The replies, none when the push carried reports only.</summary>
        public IReadOnlyList<ReplyItem> ReplyItems => Replies ?? [];
    }

    /// <summary>A push of replies (none of them reports).</summary>
    public static AdapterResult OfReplies(IReadOnlyList<ReplyItem> replies, ProviderReply reply, NonceClaim? nonce = null) =>
        new Accepted([], reply, nonce, replies);

    /// <summary>A connectivity check (Alibaba's GET): answered, recorded, appends no report.</summary>
    public sealed record Probe(ProviderReply Reply) : AdapterResult;

    public sealed record Rejected(Rejection Rejection) : AdapterResult;

    public static AdapterResult Reject(Rejection rejection) => new Rejected(rejection);
}
