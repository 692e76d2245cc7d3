using System.Security.Cryptography;
using System.Text;

namespace Ledger.Web.Security;

/// <summary>The roles of the read and admin API (docs/api.md). `admin` may do everything.</summary>
public static class Roles
{
    public const string Support = "support";
    public const string Finance = "finance";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Support, Finance, Admin };

    /// <summary>Not a role a key is given: an endpoint every valid key may call (`GET /me`).</summary>
    public const string AnyKey = "any";
}

/// <summary>`Ledger:ApiKeys:{name}:Key` / `:Role`.</summary>
public sealed class ApiKeyOptions
{
    public string Key { get; set; } = "";
    public string Role { get; set; } = "";
}

/// <summary>A caller identified by its key (or the loopback rule when no key is configured).</summary>
public sealed record Caller(string Name, string Role)
{
    public bool IsAdmin => Role == Roles.Admin;

    public bool May(string role) => IsAdmin || Role == role || role == Roles.AnyKey;
}

/// <summary>
/// The configured keys, matched in constant time: every configured key is compared (fixed-length
/// SHA-256 digests with FixedTimeEquals), so neither the match position nor a shared prefix shows in timing.
/// </summary>
public sealed class ApiKeys
{
    private readonly IReadOnlyList<(string Name, string Role, byte[] Digest)> _keys;

    public ApiKeys(IConfiguration configuration)
    {
        var section = configuration.GetSection("Ledger:ApiKeys");
        var keys = new List<(string, string, byte[])>();
        foreach (var entry in section.GetChildren())
        {
            var options = entry.Get<ApiKeyOptions>() ?? new ApiKeyOptions();
            var role = options.Role.Trim().ToLowerInvariant();
            if (string.IsNullOrWhiteSpace(options.Key))
            {
                throw new InvalidOperationException($"Ledger:ApiKeys:{entry.Key}:Key is empty; give the key a value or remove it.");
            }

            if (!Roles.All.Contains(role))
            {
                throw new InvalidOperationException(
                    $"Ledger:ApiKeys:{entry.Key}:Role is '{options.Role}'; it must be one of {string.Join(", ", Roles.All)}.");
            }

            keys.Add((entry.Key, role, Digest(options.Key)));
        }

        _keys = keys;
    }

    /// <summary>With no keys configured, the read and admin API serves loopback callers only.</summary>
    public bool None => _keys.Count == 0;

    public Caller? Find(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var digest = Digest(presented);
        Caller? found = null;
        foreach (var (name, role, key) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, key) && found is null)
            {
                found = new Caller(name, role);
            }
        }

        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
