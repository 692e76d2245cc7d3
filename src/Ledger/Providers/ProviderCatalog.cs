using System.Reflection;

namespace Ledger.Providers;

/// <summary>
/// Every adapter, by route name. Adapters are found in this assembly, so adding a provider is adding
/// its folder under Providers/ with a class that implements <see cref="IProviderAdapter"/>.
/// </summary>
public sealed class ProviderCatalog
{
    private readonly Dictionary<string, IProviderAdapter> _adapters;

    public ProviderCatalog(IEnumerable<IProviderAdapter> adapters) =>
        _adapters = adapters.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);

    public static ProviderCatalog Default() => new(
        typeof(ProviderCatalog).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IProviderAdapter).IsAssignableFrom(t)
                && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IProviderAdapter)Activator.CreateInstance(t)!));

    public IReadOnlyCollection<string> Names => _adapters.Keys;

    public IProviderAdapter? Find(string name) => _adapters.GetValueOrDefault(name);
}
