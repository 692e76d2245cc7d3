using System.Security.Cryptography;
using System.Text;

namespace Ledger.Providers.Baidu;

/// <summary>
/// Baidu's callback signature (https://cloud.baidu.com/doc/SMS/s/Fkijy9cdv):
/// `signature = md5(token + timestamp + body)`, lowercase hex, where the body is the request body as sent.
/// It is computed over the raw bytes: re-serialized JSON would not match.
/// </summary>
public static class BaiduSignature
{
    public static string Compute(string token, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(token + timestamp);
        var buffer = new byte[prefix.Length + body.Length];
        prefix.CopyTo(buffer, 0);
        body.CopyTo(buffer.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(MD5.HashData(buffer));
    }

    /// <summary>True when any of the tokens (rotation) signs the request; every token is tried, in constant time each.</summary>
    public static bool Verify(IEnumerable<string> tokens, string timestamp, ReadOnlySpan<byte> body, string presented)
    {
        var presentedBytes = Encoding.ASCII.GetBytes(presented.Trim().ToLowerInvariant());
        var verified = false;
        foreach (var token in tokens)
        {
            if (string.IsNullOrEmpty(token))
            {
                continue;
            }

            var expected = Encoding.ASCII.GetBytes(Compute(token, timestamp, body));
            verified |= CryptographicOperations.FixedTimeEquals(expected, presentedBytes);
        }

        return verified;
    }
}
