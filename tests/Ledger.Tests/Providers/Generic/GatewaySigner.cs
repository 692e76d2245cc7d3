using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alba;
using Ledger.Ingest;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Generic;

/// <summary>
/// What a generic gateway does on its side, written from the scheme's description and not from the
/// adapter's code, so that a test proves the two agree.
/// </summary>
public static class GatewaySigner
{
    public static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T02:40:00Z");

    public static string Sorted(IEnumerable<(string Name, string Value)> parameters, string? leaveOut = null)
    {
        var kept = parameters.Where(p => p.Name != leaveOut).ToList();
        kept.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return string.Join("&", kept.Select(p => $"{p.Name}={p.Value}"));
    }

    public static string Form(IEnumerable<(string Name, string Value)> parameters) =>
        string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>The default scheme: `{timestamp}\n{nonce}\n{rest}`.</summary>
    public static string WithHeaders(long timestamp, string nonce, string rest) => $"{timestamp}\n{nonce}\n{rest}";

    public static string HmacSha256Hex(string secret, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));

    /// <summary>Upper case on purpose: hex is compared ignoring case.</summary>
    public static string Md5Hex(string message, string secret) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(message + secret)));

    public static string HmacSha256Hex(string secret, byte[] message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));

    public static string HmacSha1Base64(string secret, byte[] message) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), message));

    public static long Epoch(DateTimeOffset at) => at.ToUnixTimeSeconds();

    public static string NewNonce() => Guid.NewGuid().ToString("N");

    /// <summary>A form report for the default account (hmac-sha256, hex, X-Timestamp/X-Nonce/X-Signature).</summary>
    public static (string Body, (string Name, string Value)[] Headers) DefaultForm(
        (string Name, string Value)[] parameters, string secret = "s1", DateTimeOffset? at = null, string? nonce = null)
    {
        var timestamp = Epoch(at ?? Now);
        nonce ??= NewNonce();
        var signature = HmacSha256Hex(secret, WithHeaders(timestamp, nonce, Sorted(parameters)));
        return (Form(parameters), [("X-Timestamp", $"{timestamp}"), ("X-Nonce", nonce), ("X-Signature", signature)]);
    }

    public static (string Name, string Value)[] Report(string msgid, string stat = "DELIVRD", string doneTime = "2611251032") =>
        [("msgid", msgid), ("stat", stat), ("done_time", doneTime), ("mobile", "13800138000"), ("out_id", "order-7"), ("parts", "2")];

    public static RawCallback Request(string body, string contentType, params (string Name, string Value)[] headers) =>
        Request(Encoding.UTF8.GetBytes(body), contentType, headers);

    public static RawCallback Request(byte[] body, string contentType, params (string Name, string Value)[] headers) =>
        new(Guid.NewGuid(), "POST", "https://ledger.example/callbacks/generic", "/callbacks/generic", "",
            [new HeaderEntry("Content-Type", contentType), .. headers.Select(h => new HeaderEntry(h.Name, h.Value))],
            body, "203.0.113.5", Now);

    /// <summary>A request with a query string (`a=1&amp;b=2`, no `?`) and, for a GET push, no body.</summary>
    public static RawCallback Request(string method, string query, string body, string? contentType, params (string Name, string Value)[] headers) =>
        new(Guid.NewGuid(), method, $"https://ledger.example/callbacks/generic?{query}", "/callbacks/generic", "?" + query,
            [.. contentType is null ? [] : new[] { new HeaderEntry("Content-Type", contentType) }, .. headers.Select(h => new HeaderEntry(h.Name, h.Value))],
            Encoding.UTF8.GetBytes(body), "203.0.113.5", Now);

    public static Ledger.Providers.ProviderAccount Account(string method = "hmac-sha256", string[]? secrets = null, params (string Key, string Value)[] options)
    {
        var account = new Ledger.Providers.ProviderAccount { Name = "test", SignatureMethod = method, Secrets = [.. secrets ?? ["s1", "s2"]] };
        foreach (var (key, value) in options)
        {
            account.Options[key] = value;
        }

        return account;
    }

    public const string FormType = "application/x-www-form-urlencoded";

    public static Task<(int Status, string Body, string? ContentType)> PostSignedAsync(
        this IAlbaHost host, string url, string body, string contentType, IEnumerable<(string Name, string Value)> headers) =>
        host.SendSignedAsync(HttpMethod.Post, url, body, contentType, headers);

    /// <summary>A GET push: the report is in the URL's query string, there is no body.</summary>
    public static Task<(int Status, string Body, string? ContentType)> GetSignedAsync(
        this IAlbaHost host, string url, IEnumerable<(string Name, string Value)> headers) =>
        host.SendSignedAsync(HttpMethod.Get, url, null, null, headers);

    private static async Task<(int Status, string Body, string? ContentType)> SendSignedAsync(
        this IAlbaHost host, HttpMethod method, string url, string? body, string? contentType, IEnumerable<(string Name, string Value)> headers)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The refused request is on record in quarantine with this reason (as when_a_request_is_refused checks).</summary>
    public static async Task ShouldBeQuarantinedAs(this LedgerFixture fixture, string problemBody, string reason)
    {
        var problem = JsonDocument.Parse(problemBody).RootElement;
        problem.GetProperty("reason").GetString().ShouldBe(reason);
        var requestId = problem.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(reason);
        var events = await session.Events.FetchStreamAsync(Ledger.Events.StreamKeys.Quarantine(requestId));
        events.Single().Data.ShouldBeOfType<Ledger.Events.RequestQuarantined>().Reason.ShouldBe(reason);
    }
}
