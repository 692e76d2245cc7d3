using Ledger.Ingest;

namespace Ledger.Providers;

/// <summary>
/// Everything provider-specific, as a pure function: raw request, account settings and the current
/// time in; verification outcome, keyed and interpreted items and the reply out. No database, no clock.
/// </summary>
public interface IProviderAdapter
{
    /// <summary>The route name, `/callbacks/{Name}`.</summary>
    string Name { get; }

    /// <summary>Stamped on every interpretation, so a replay can tell which parser read what.</summary>
    string ParserVersion { get; }

    AdapterResult Handle(RawCallback request, ProviderAccount account, DateTimeOffset now);
}
