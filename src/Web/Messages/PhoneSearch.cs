using PhoneNumbers;

namespace Ledger.Web.Messages;

/// <summary>
/// What `GET /messages?phone=` looks for. Providers write the same phone differently: Tencent and Twilio
/// with the country code (`+86 138…`, `+1 555…`), Aliyun's domestic reports and most registrations
/// without it (`138…`), some with an international prefix (`0086…`); stored digits are kept as the
/// provider wrote them. So a number support types is parsed (Google's libphonenumber; without a country
/// code it is read in <see cref="LedgerOptions.PhoneRegion"/>) and every way it can have been stored is
/// searched: country code + national number, national number alone, with a trunk prefix, with `00`. The
/// stored digits are indexed, so this is an indexed `= any(…)`. A query that is not a valid number is
/// matched by its digits exactly, as before.
/// </summary>
public static class PhoneSearch
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <returns>The digit strings to match; empty when the text has no digits.</returns>
    public static IReadOnlyList<string> Candidates(string text, string region)
    {
        var digits = Ledger.Projections.PhoneNumbers.Digits(text);
        if (digits is null)
        {
            return [];
        }

        var candidates = new List<string> { digits };
        if (Parse(text, digits, region) is not { } number)
        {
            return candidates;
        }

        var national = Util.GetNationalSignificantNumber(number);
        var international = $"{number.CountryCode}{national}";
        Add(candidates, international);
        Add(candidates, "00" + international);
        Add(candidates, national);
        var trunk = Util.GetMetadataForRegion(Util.GetRegionCodeForNumber(number))?.NationalPrefix;
        if (!string.IsNullOrEmpty(trunk))
        {
            Add(candidates, trunk + national);
        }

        return candidates;
    }

    /// <summary>Whether libphonenumber knows the region (`CN`, `US`, …): the configuration check asks.</summary>
    public static bool IsKnownRegion(string region) => Util.GetSupportedRegions().Contains(region.Trim().ToUpperInvariant());

    private static PhoneNumber? Parse(string text, string digits, string region)
    {
        // "86138…" typed without the plus is as likely as "138…": try it as international first when the
        // region's own reading is not a valid number.
        foreach (var (candidate, defaultRegion) in new[] { (text, region), ("+" + digits, "ZZ") })
        {
            try
            {
                var number = Util.Parse(candidate, defaultRegion.ToUpperInvariant());
                if (Util.IsValidNumber(number))
                {
                    return number;
                }
            }
            catch (NumberParseException)
            {
                // not a number in this reading; try the next
            }
        }

        return null;
    }

    private static void Add(List<string> candidates, string value)
    {
        if (!candidates.Contains(value, StringComparer.Ordinal))
        {
            candidates.Add(value);
        }
    }
}
