namespace Ledger.Projections;

/// <summary>How phones are matched: by their digits only, so `+86 138-1234-5678` style separators never hide a match.</summary>
public static class PhoneNumbers
{
    public static string? Digits(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return null;
        }

        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 0 ? null : digits;
    }
}
