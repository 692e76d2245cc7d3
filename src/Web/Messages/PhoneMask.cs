namespace Ledger.Web.Messages;

/// <summary>Phones in views and logs are masked: `13812345678` → `138****5678`.</summary>
public static class PhoneMask
{
    public static string? Mask(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return phone;
        }

        if (phone.Length <= 7)
        {
            return new string('*', phone.Length);
        }

        var keepStart = phone.Length >= 11 ? phone.Length - 8 : 3;
        return string.Concat(phone.AsSpan(0, keepStart), new string('*', phone.Length - keepStart - 4), phone.AsSpan(phone.Length - 4));
    }
}
