using Ledger.Events;

namespace Ledger.Replay;

/// <summary>
/// The latest interpretation of every item of one message stream: its ReportReceived's reading (in streams
/// of earlier builds, the ReportInterpreted that followed the item's CallbackReceived), or the last
/// InterpretationCorrected for it. Pure.
/// </summary>
public static class ItemHistory
{
    public static Dictionary<(Guid RequestId, int ItemIndex), Report> Latest(IEnumerable<object> events)
    {
        var latest = new Dictionary<(Guid, int), Report>();
        (Guid, int)? unread = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case ReportReceived report:
                    latest[(report.RequestId, report.ItemIndex)] = report.Report;
                    break;
                case CallbackReceived received:
                    unread = (received.RequestId, received.ItemIndex);
                    break;
                case ReportInterpreted interpreted when unread is { } item && item.Item1 == interpreted.RequestId:
                    latest[item] = interpreted.Report;
                    unread = null;
                    break;
                case InterpretationCorrected corrected:
                    latest[(corrected.RequestId, corrected.ItemIndex)] = corrected.Corrected;
                    break;
            }
        }

        return latest;
    }

    /// <summary>The latest reading of every reply item of one reply stream: its ReplyReceived, or the last ReplyCorrected for it.</summary>
    public static Dictionary<(Guid RequestId, int ItemIndex), ReplyReading> LatestReplies(IEnumerable<object> events)
    {
        var latest = new Dictionary<(Guid, int), ReplyReading>();
        foreach (var e in events)
        {
            switch (e)
            {
                case ReplyReceived received:
                    latest[(received.RequestId, received.ItemIndex)] = ReplyReading.Of(received);
                    break;
                case ReplyCorrected corrected:
                    latest[(corrected.RequestId, corrected.ItemIndex)] = corrected.Corrected;
                    break;
            }
        }

        return latest;
    }

    /// <summary>Whether a quarantine stream says its request was already rescued.</summary>
    public static bool AlreadyRescued(IEnumerable<object> quarantineEvents) => quarantineEvents.OfType<RequestRescued>().Any();
}
