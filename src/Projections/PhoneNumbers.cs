namespace Ledger.Projections;

/// <summary>How phones are matched: by their digits only, so `+86 138-1234-5678` style separators never hide a match.</summary>
public static class PhoneNumbers
{
    /// <summary>
    /// The phone's ASCII digits, null when it has none. A phone that is digits only (most providers send it so)
    /// is returned as it is: the fold sets the phone on every report, and this allocates nothing then.
    /// </summary>
    public static string? Digits(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return null;
        }

        var count = 0;
        foreach (var c in phone)
        {
            count += char.IsAsciiDigit(c) ? 1 : 0;
        }

        return count == 0 ? null
            : count == phone.Length ? phone
            : string.Create(count, phone, static (span, source) =>
            {
                var i = 0;
                foreach (var c in source)
                {
                    if (char.IsAsciiDigit(c))
                    {
                        span[i++] = c;
                    }
                }
            });
    }
}
