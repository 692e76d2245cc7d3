using JasperFx.Events;
using Ledger.Events;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// One reply from a phone (上行 / MO), from its stream `{provider}:reply:{id}`: what the phone sent, when,
/// to what, and whether it asks to unsubscribe (docs/rules.md rule 11). The first push makes it; the same
/// reply pushed again only counts as a duplicate (the provider retried), it never makes a second reply.
/// Indexed for `GET /replies` and phone search only: the phone's digits and the receive time.
/// </summary>
public sealed record Reply
{
    /// <summary>The stream key, `{provider}:reply:{replyId}`.</summary>
    public string Id { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Account { get; init; } = "";
    public string ReplyId { get; init; } = "";
    public string? Phone { get; init; }
    public string Content { get; init; } = "";
    public string? To { get; init; }

    /// <summary>The message key of the message answered, where the provider names it.</summary>
    public string? InReplyTo { get; init; }
    public bool Unsubscribe { get; init; }
    public ProviderTime? ProviderTime { get; init; }
    public string ParserVersion { get; init; } = "";

    /// <summary>The request that carried it first (its raw record is the evidence).</summary>
    public Guid RequestId { get; init; }

    /// <summary>The reply's place among the replies of that request.</summary>
    public int ItemIndex { get; init; }

    /// <summary>Our receive time of the first push.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset LastReceivedAt { get; init; }

    /// <summary>Pushes of this reply, the first included; every one after the first is a duplicate.</summary>
    public int ReceivedCount { get; init; }
    public int DuplicateCount { get; init; }

    /// <summary>Readings replaced by replays (`ReplyCorrected`), of any push of this reply.</summary>
    public int CorrectedCount { get; init; }

    /// <summary>The first push was quarantined at receipt and a replay's reader read it later (`ReplyRescued`).</summary>
    public bool Rescued { get; init; }

    /// <summary>The phone's digits only: what `GET /replies?phone=` and phone search match exactly (indexed).</summary>
    public string? PhoneDigits => PhoneNumbers.Digits(Phone);
}

/// <summary>The one fold of a reply stream, used by Marten (inline, rebuild) and by the group commit's writer alike.</summary>
public sealed partial class ReplyProjection : SingleStreamProjection<Reply, string>
{
    public ReplyProjection()
    {
        IncludeType<ReplyReceived>();
        IncludeType<ReplyCorrected>();
        IncludeType<ReplyRescued>();
    }

    public override Reply? Evolve(Reply? snapshot, string id, IEvent e) => Next(snapshot, id, e.Data);

    /// <summary>The document after one more event; an event a reply stream never holds leaves it as it is.</summary>
    public Reply? Next(Reply? current, string key, object e) => e switch
    {
        ReplyRescued r => Rescued(current, key, r),
        ReplyReceived r when current is null || current.ReceivedCount == 0 => First(key, r) with { Rescued = current?.Rescued ?? false },
        ReplyReceived r => current with
        {
            ReceivedCount = current.ReceivedCount + 1,
            DuplicateCount = current.DuplicateCount + 1,
            LastReceivedAt = r.ReceivedAt > current.LastReceivedAt ? r.ReceivedAt : current.LastReceivedAt,
        },
        ReplyCorrected c when current is not null => Corrected(current, c),
        _ => current,
    };

    /// <summary>
    /// A rescue marker comes just before its ReplyReceived: on a new stream it opens an empty document that
    /// push fills; on a stream that already has pushes the rescued one is a duplicate and the flag stays.
    /// </summary>
    private static Reply Rescued(Reply? current, string key, ReplyRescued r) => current is { ReceivedCount: > 0 }
        ? current
        : new Reply { Id = key, Provider = r.Provider, Account = r.Account, ReplyId = r.ReplyId, Rescued = true };

    /// <summary>
    /// The document shows the reading of the push that made it (<see cref="Reply.RequestId"/>), so a correction
    /// of that push's item replaces what it shows; a correction of a later push (a duplicate) is counted only.
    /// </summary>
    private static Reply Corrected(Reply current, ReplyCorrected c)
    {
        var counted = current with { CorrectedCount = current.CorrectedCount + 1 };
        if (c.RequestId != current.RequestId || c.ItemIndex != current.ItemIndex)
        {
            return counted;
        }

        var now = c.Corrected;
        return counted with
        {
            Phone = now.Phone,
            Content = now.Content,
            ProviderTime = now.ProviderTime,
            InReplyTo = now.InReplyTo,
            To = now.To,
            Unsubscribe = now.Unsubscribe,
            ParserVersion = now.ParserVersion,
        };
    }

    private static Reply First(string key, ReplyReceived e) => new()
    {
        Id = key,
        Provider = e.Provider,
        Account = e.Account,
        ReplyId = e.ReplyId,
        Phone = e.Phone,
        Content = e.Content,
        To = e.To,
        InReplyTo = e.InReplyTo,
        Unsubscribe = e.Unsubscribe,
        ProviderTime = e.ProviderTime,
        ParserVersion = e.ParserVersion,
        RequestId = e.RequestId,
        ItemIndex = e.ItemIndex,
        ReceivedAt = e.ReceivedAt,
        LastReceivedAt = e.ReceivedAt,
        ReceivedCount = 1,
    };
}
