namespace Ledger.Providers;

/// <summary>
/// The parts a provider says it billed for one message (`sms_size`, `smsCount`, `segmentCount`, …), bounded.
/// A concatenated SMS is at most 255 parts: its user data header counts them in one octet (3GPP TS 23.040,
/// the concatenated short message element), and providers cap a message far below that. A count outside
/// 0–255 is not a message's parts but a provider's (or an attacker's) mistake: it is read as unknown, like
/// a missing count, so one absurd report cannot move finance's sums; the raw item keeps what was sent.
/// </summary>
public static class SmsParts
{
    public const int Max = 255;

    public static int? Bounded(int? parts) => parts is >= 0 and <= Max ? parts : null;
}
