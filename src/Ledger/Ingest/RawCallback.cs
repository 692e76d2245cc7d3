using System.Text;

namespace Ledger.Ingest;

public sealed record HeaderEntry(string Name, string Value);

/// <summary>
/// One HTTP request exactly as it reached us (docs/rules.md rule 1). Adapters read it; nothing rewrites it.
/// <see cref="Url"/> is the public URL the provider called (what Twilio signs), which differs from the
/// local one behind a proxy.
/// </summary>
public sealed record RawCallback(
    Guid RequestId,
    string Method,
    string Url,
    string Path,
    string QueryString,
    IReadOnlyList<HeaderEntry> Headers,
    byte[] Body,
    string? RemoteAddress,
    DateTimeOffset ReceivedAt)
{
    public string? Header(string name)
    {
        foreach (var header in Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    public string? ContentType => Header("Content-Type");

    /// <summary>The query as ordered (name, value) pairs, percent-decoded, duplicates kept.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query => FormEncoding.Parse(QueryString.TrimStart('?'));

    /// <summary>The charset named in Content-Type, else the account's, else UTF-8.</summary>
    public Encoding BodyEncoding(string? accountCharset) => Charsets.Resolve(ContentType, accountCharset);

    public string BodyText(string? accountCharset) => BodyEncoding(accountCharset).GetString(Body);
}
