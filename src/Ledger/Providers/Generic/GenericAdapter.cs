using System.Globalization;
using Ledger.Events;
using Ledger.Ingest;

namespace Ledger.Providers.Generic;

/// <summary>
/// A configurable scheme for the many gateways (CMPP/SMPP resellers, in-house relays) that push a
/// form, query or JSON report (nested fields by path, a batch in a JSON array or in one form field)
/// signed with sorted parameters or the raw body, MD5 or HMAC, and `X-Timestamp` / `X-Nonce` headers;
/// or that sign nothing and are guarded by a URL token or allowlist. Field names, status values,
/// signing and the reply are per-account options (see <see cref="GenericScheme"/>); the message key
/// is the `IdField` value as sent.
/// </summary>
public sealed class GenericAdapter : IProviderAdapter
{
    public string Name => "generic";

    public string ParserVersion => "generic/1";

    public AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now)
    {
        if (!GenericScheme.TryRead(account, out var scheme, out var misconfigured))
        {
            return AdapterResult.Reject(misconfigured!);
        }

        if (!GenericBody.TryRead(request, account.Charset, scheme, out var body, out var unreadable))
        {
            return AdapterResult.Reject(unreadable!);
        }

        NonceClaim? nonce = null;
        var unverified = scheme.IsUnsigned
            ? UnsignedGuard.Check(request, account)
            : GenericSignature.Verify(request, body, scheme, account, now, out nonce);
        if (unverified is not null)
        {
            return AdapterResult.Reject(unverified);
        }

        if (body.Items.Count > BatchItems.MaxItems)
        {
            return AdapterResult.Reject(BatchItems.TooMany(body.Items.Count));
        }

        var batch = new BatchItems(body.IsBatch);
        for (var i = 0; i < body.Items.Count; i++)
        {
            var current = body.Items[i];
            batch.Read(i, current.Raw, (out Rejection? rejection) => ReadItem(current, scheme, out rejection));
        }

        return batch.Result(scheme.Reply, nonce);
    }

    private CallbackItem? ReadItem(GenericItem item, GenericScheme scheme, out Rejection? rejection)
    {
        rejection = null;
        var id = item.Field(scheme.IdField);
        if (string.IsNullOrWhiteSpace(id))
        {
            rejection = new Rejection(RejectionReasons.MissingId,
                $"'{scheme.IdField}' is required: it identifies the message (Options:IdField){(scheme.IdField.IsNested ? ", a path through nested JSON objects" : "")}.", 400);
            return null;
        }

        ProviderTime? time = null;
        var rawTime = item.Field(scheme.TimeField);
        if (!string.IsNullOrWhiteSpace(rawTime) && !TryParseTime(rawTime, scheme, out time))
        {
            rejection = new Rejection(RejectionReasons.BadTime,
                $"'{scheme.TimeField}' value '{rawTime}' does not match {string.Join(" or ", scheme.TimeFormats)} (Options:TimeFormat).", 400);
            return null;
        }

        var stat = item.Field(scheme.StatusField)?.Trim();
        var (status, final) = stat switch
        {
            null or "" => (DeliveryStatus.Unknown, false),
            _ when scheme.DeliveredValues.Contains(stat) => (DeliveryStatus.Delivered, true),
            _ when scheme.PendingValues.Contains(stat) => (DeliveryStatus.Pending, false),
            // Carriers put vendor codes (MK:0001, MI:0024…) where the stat word goes: all are failures (docs/providers.md).
            _ => (DeliveryStatus.Failed, true),
        };

        var report = new Report(
            status,
            final,
            ProviderStatus: string.IsNullOrEmpty(stat) ? null : stat,
            // Some gateways give the status as a word and the carrier's code apart (Yunpian: FAIL and error_msg DB:0103).
            ErrorCode: status == DeliveryStatus.Failed ? NonEmpty(item.Field(scheme.ErrorCodeField)) ?? stat : null,
            Description: NonEmpty(item.Field(scheme.DescriptionField)),
            ProviderTime: time,
            Phone: item.Field(scheme.PhoneField),
            OutId: item.Field(scheme.OutIdField),
            BilledParts: SmsParts.Bounded(int.TryParse(item.Field(scheme.PartsField), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parts) ? parts : null),
            ParserVersion);

        return new CallbackItem(id.Trim(), item.Raw, report);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool TryParseTime(string raw, GenericScheme scheme, out ProviderTime? time)
    {
        time = null;
        var formats = scheme.TimeFormats;
        if (formats.Contains(GenericScheme.EpochFormat, StringComparer.OrdinalIgnoreCase))
        {
            if (!GenericSignature.TryParseEpoch(raw, out var instant))
            {
                return false;
            }

            time = new ProviderTime(raw, instant, "epoch (seconds or milliseconds, UTC by definition)");
            return true;
        }

        if (!DateTime.TryParseExact(raw.Trim(), [.. formats], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        time = new ProviderTime(raw, new DateTimeOffset(local, scheme.TimeOffset).ToUniversalTime(), scheme.TimeRule);
        return true;
    }
}
