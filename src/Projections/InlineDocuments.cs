using JasperFx.Events;
using Ledger.Events;

namespace Ledger.Projections;

/// <summary>
/// The inline documents of one stream advanced by one event, with the projections' own Create and Apply
/// methods: what Marten's inline projections do, for the set-based group commit
/// (<see cref="InlineAppender"/>). A document an event does not concern comes back unchanged (the same
/// instance). Rebuilding the projections through Marten must give the very same documents (tested).
/// </summary>
public sealed class InlineDocuments(MessageReconciliationProjection reconciliation, RejectedRequestProjection rejected)
{
    private static readonly MessageStatusProjection StatusProjection = new();
    private static readonly DeliveryHistoryProjection HistoryProjection = new();

    public static MessageStatus? Status(MessageStatus? current, string streamKey, object e) => (e, current) switch
    {
        (CallbackReceived c, null) => StatusProjection.Create(Wrap(c, streamKey)),
        (CallbackReceived c, { } s) => StatusProjection.Apply(c, s),
        (ReportInterpreted r, { } s) => StatusProjection.Apply(r, s),
        (InterpretationCorrected c, { } s) => StatusProjection.Apply(c, s),
        (CallbackRescued c, null) => StatusProjection.Create(Wrap(c, streamKey)),
        (CallbackRescued c, { } s) => StatusProjection.Apply(c, s),
        (MessageSubmitted m, null) => StatusProjection.Create(m),
        (MessageSubmitted m, { } s) => StatusProjection.Apply(m, s),
        _ => current,
    };

    public static DeliveryHistory? History(DeliveryHistory? current, string streamKey, object e) => (e, current) switch
    {
        (CallbackReceived c, null) => HistoryProjection.Create(Wrap(c, streamKey)),
        (CallbackReceived c, { } h) => HistoryProjection.Apply(c, h),
        (ReportInterpreted r, { } h) => HistoryProjection.Apply(r, h),
        (InterpretationCorrected c, { } h) => HistoryProjection.Apply(c, h),
        (CallbackRescued c, null) => HistoryProjection.Create(Wrap(c, streamKey)),
        (CallbackRescued c, { } h) => HistoryProjection.Apply(c, h),
        (MessageSubmitted m, null) => HistoryProjection.Create(m),
        (MessageSubmitted m, { } h) => HistoryProjection.Apply(m, h),
        _ => current,
    };

    public MessageReconciliation? Reconciliation(MessageReconciliation? current, object e) => reconciliation.Step(current, e);

    public RejectedRequest? Rejected(RejectedRequest? current, object e) =>
        e is RequestQuarantined q && current is null ? rejected.Create(q) : current;

    /// <summary>The event with the one piece of metadata the projections read (the stream key).</summary>
    private static Event<T> Wrap<T>(T data, string streamKey) where T : notnull => new(data) { StreamKey = streamKey };
}
