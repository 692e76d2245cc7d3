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

    /// <summary>Our receive time of the first push.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset LastReceivedAt { get; init; }

    /// <summary>Pushes of this reply, the first included; every one after the first is a duplicate.</summary>
    public int ReceivedCount { get; init; }
    public int DuplicateCount { get; init; }

    /// <summary>The phone's digits only: what `GET /replies?phone=` and phone search match exactly (indexed).</summary>
    public string? PhoneDigits => PhoneNumbers.Digits(Phone);
}

/// <summary>The one fold of a reply stream, used by Marten (inline, rebuild) and by the group commit's writer alike.</summary>
public sealed partial class ReplyProjection : SingleStreamProjection<Reply, string>
{
    public ReplyProjection() => IncludeType<ReplyReceived>();

    public override Reply? Evolve(Reply? snapshot, string id, IEvent e) => Next(snapshot, id, e.Data);

    /// <summary>The document after one more event; an event a reply stream never holds leaves it as it is.</summary>
    public Reply? Next(Reply? current, string key, object e) => e switch
    {
        ReplyReceived r when current is null => First(key, r),
        ReplyReceived r => current with
        {
            ReceivedCount = current.ReceivedCount + 1,
            DuplicateCount = current.DuplicateCount + 1,
            LastReceivedAt = r.ReceivedAt > current.LastReceivedAt ? r.ReceivedAt : current.LastReceivedAt,
        },
        _ => current,
    };

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
        ReceivedAt = e.ReceivedAt,
        LastReceivedAt = e.ReceivedAt,
        ReceivedCount = 1,
    };
}
