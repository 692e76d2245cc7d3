using System.Text.RegularExpressions;

namespace Ledger.Tests.Security;

/// <summary>
/// A source scan, deliberately simple: the files that check signatures, tokens and API keys compare with
/// CryptographicOperations.FixedTimeEquals, and nothing in the provider and security code compares a
/// secret-looking value with ==, != or Equals (which stop at the first differing byte).
/// </summary>
public sealed class secret_comparison_rules
{
    /// <summary>Every place a presented credential meets a configured one.</summary>
    private static readonly string[] Verifiers =
    [
        "src/Ledger/Providers/Twilio/TwilioSignature.cs",
        "src/Ledger/Providers/Vonage/VonageSignature.cs",
        "src/Ledger/Providers/Baidu/BaiduSignature.cs",
        "src/Ledger/Providers/Generic/GenericSignature.cs",
        "src/Ledger/Providers/UnsignedGuard.cs", // URL/header tokens of providers that sign nothing (Aliyun, Tencent, Huawei, …)
        "src/Web/Security/ApiKeys.cs",
    ];

    /// <summary>Matches that are not secrets, each with its reason.</summary>
    private static readonly Dictionary<string, string> Exceptions = new()
    {
        ["src/Ledger/Providers/Generic/GenericScheme.cs: stringToSign =="] = "a configuration option name, not a secret",
        ["src/Ledger/Providers/Generic/GenericScheme.cs: SignatureMethod =="] = "the configured method's name (none: unsigned), not a secret",
    };

    private static readonly Regex Suspicious = new(
        @"\b\w*(secret|token|signature|sig|digest|presented|expected|hmac)\w*\s*(==|!=)|(==|!=)\s*\w*(secret|token|signature|presented|expected|digest)\w*\b|\w*(secret|token|signature|sig|digest|presented|expected|hmac)\w*\.(Equals|SequenceEqual)\(|string\.Equals\(\w*(secret|token|signature|presented|expected|digest)",
        RegexOptions.IgnoreCase);

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Ledger.sln not found above the test assembly");
    }

    [Fact]
    public void every_file_that_checks_a_credential_compares_in_constant_time()
    {
        var root = Root();
        foreach (var file in Verifiers)
        {
            File.ReadAllText(Path.Combine(root, file)).ShouldContain("CryptographicOperations.FixedTimeEquals", customMessage: file);
        }

        // A new *Signature.cs anywhere under the providers is a verifier too.
        foreach (var file in Directory.GetFiles(Path.Combine(root, "src/Ledger/Providers"), "*Signature.cs", SearchOption.AllDirectories))
        {
            File.ReadAllText(file).ShouldContain("CryptographicOperations.FixedTimeEquals", customMessage: file);
        }
    }

    [Fact]
    public void no_secret_is_compared_with_equality_operators()
    {
        var root = Root();
        var found = new List<string>();
        foreach (var folder in new[] { "src/Ledger/Providers", "src/Web/Security", "src/Web/Ingest" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                foreach (var line in File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)))
                {
                    foreach (Match match in Suspicious.Matches(line))
                    {
                        var entry = $"{relative}: {match.Value.Trim()}";
                        if (!Exceptions.ContainsKey(entry))
                        {
                            found.Add(entry);
                        }
                    }
                }
            }
        }

        found.ShouldBeEmpty("compare secrets with CryptographicOperations.FixedTimeEquals (or list a non-secret match in Exceptions with its reason)");
    }
}
