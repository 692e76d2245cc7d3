namespace Ledger.Tests.Providers.Ronglian;

/// <summary>Form-encoded Ronglian reports: respCode, mobile, reportTime and the key in smsMessageSid (or msgId).</summary>
public static class RonglianFormPayloads
{
    public const string FormType = "application/x-www-form-urlencoded";

    public static string Form(string sid, string respCode = "000000", string reportTime = "20261125103205", string keyField = "smsMessageSid") =>
        $"respCode={respCode}&mobile=13912345678&reportTime={reportTime}&{keyField}={sid}";
}
