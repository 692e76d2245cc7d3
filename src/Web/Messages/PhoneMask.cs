namespace Ledger.Web.Messages;

/// <summary>Phones in views and logs are masked: `13812345678` → `138****5678`.</summary>
public static class PhoneMask
{
    /// <summary>
    /// A message key with the phone inside it masked: Alibaba's keys are `{biz_id}:{phone}`, so finance's rows
    /// and CSV would show the whole number beside the masked phone column. Other providers' keys hold no phone.
    /// (Support's views keep the key whole: it is the message's address in the API and the UI, and support
    /// finds a message by that very phone.)
    /// </summary>
    public static string Key(string provider, string messageKey)
    {
        var colon = messageKey.LastIndexOf(':');
        return provider == "aliyun" && colon >= 0 && colon < messageKey.Length - 1
            ? string.Concat(messageKey.AsSpan(0, colon + 1), Mask(messageKey[(colon + 1)..]))
            : messageKey;
    }

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
