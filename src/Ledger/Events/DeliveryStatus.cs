namespace Ledger.Events;

/// <summary>The normalized status every provider's report is mapped to (docs/api.md).</summary>
public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
    Unknown,
}
