namespace Ledger.Events;

/// <summary>The normalized status every provider's report is mapped to (README.md).</summary>
public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
    Unknown,
}
