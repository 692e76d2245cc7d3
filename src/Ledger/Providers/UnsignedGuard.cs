using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ledger.Ingest;

namespace Ledger.Providers;

/// <summary>
/// Alibaba, Tencent and Ronglian sign nothing (docs/rules.md rule 5): the account can require a secret
/// URL token (`?token=` or `X-Ledger-Token`) and/or a source CIDR allowlist; the implicit `default` account
/// of a provider with none configured answers this machine only.
/// </summary>
public static class UnsignedGuard
{
    public static Rejection? Check(RawCallback request, ProviderAccount account)
    {
        if (account.LoopbackOnly && !IsLoopback(request.RemoteAddress))
        {
            return Rejection.Unverified(RejectionReasons.AddressNotAllowed,
                "No account is configured for this provider, and its implicit default account answers callers on the ledger's own machine only. " +
                "Configure the account with a Token or AllowedCidrs (Ledger__Providers__<provider>__default__Token).");
        }

        if (!string.IsNullOrEmpty(account.Token))
        {
            var presented = request.Query.FirstOrDefault(p => p.Key == "token").Value ?? request.Header("X-Ledger-Token");
            if (presented is null || !FixedTimeEquals(presented, account.Token))
            {
                return Rejection.Unverified(RejectionReasons.BadToken,
                    "The URL token is missing or wrong. Call the URL printed for this account, including its ?token= parameter.");
            }
        }

        if (account.AllowedCidrs.Count > 0 && !AddressAllowed(request.RemoteAddress, account.AllowedCidrs))
        {
            return Rejection.Unverified(RejectionReasons.AddressNotAllowed,
                $"The source address {request.RemoteAddress} is not in this account's AllowedCidrs.");
        }

        return null;
    }

    /// <summary>A loopback address; no address at all (a Unix socket, a named pipe) is not one.</summary>
    public static bool IsLoopback(string? address) => address is not null && IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public static bool AddressAllowed(string? address, IEnumerable<string> cidrs)
    {
        if (address is null || !IPAddress.TryParse(address, out var ip))
        {
            return false;
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        foreach (var cidr in cidrs)
        {
            if (Network(cidr) is { } network && network.Contains(ip))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An address (a network of one) or a CIDR, as `AllowedCidrs` and `TrustedProxies` take them; null when it is neither.</summary>
    public static IPNetwork? Network(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        return IPNetwork.TryParse(trimmed.Contains('/') ? trimmed : trimmed + (trimmed.Contains(':') ? "/128" : "/32"), out var network) ? network : null;
    }
}
