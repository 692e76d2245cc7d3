using System.Text;

namespace Ledger.Ingest;

/// <summary>Some Chinese providers send GBK/GB18030; the raw bytes stay as they were, only the reading changes.</summary>
public static class Charsets
{
    static Charsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Resolve(string? contentType, string? fallback)
    {
        var declared = CharsetOf(contentType);
        return TryGet(declared) ?? TryGet(fallback) ?? new UTF8Encoding(false);
    }

    public static string? CharsetOf(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }

        foreach (var part in contentType.Split(';'))
        {
            var p = part.Trim();
            if (p.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
            {
                return p["charset=".Length..].Trim('"', ' ');
            }
        }

        return null;
    }

    private static Encoding? TryGet(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
