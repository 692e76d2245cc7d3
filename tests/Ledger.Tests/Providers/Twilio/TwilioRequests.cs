using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alba;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Twilio;

/// <summary>Twilio-shaped requests for the tests, signed by code written here, not by the adapter's.</summary>
public static class TwilioRequests
{
    /// <summary>What TestServer's requests look like to the service: the URL the test "Twilio" signs.</summary>
    public const string LocalUrl = "http://localhost/callbacks/twilio";

    /// <summary>A status callback shaped like Twilio's (track-outbound-message-status guide).</summary>
    public static List<KeyValuePair<string, string>> StatusCallback(string messageSid, string status, string? errorCode = null, string? rawDlrDoneDate = null)
    {
        var p = new List<KeyValuePair<string, string>>
        {
            new("ApiVersion", "2010-04-01"),
            new("AccountSid", "AC00000000000000000000000000000000"),
            new("From", "+15017122661"),
            new("To", "+14155550100"),
            new("MessageSid", messageSid),
            new("SmsSid", messageSid),
            new("MessageStatus", status),
            new("SmsStatus", status),
        };
        if (errorCode is not null)
        {
            p.Add(new("ErrorCode", errorCode));
        }

        if (rawDlrDoneDate is not null)
        {
            p.Add(new("RawDlrDoneDate", rawDlrDoneDate));
        }

        return p;
    }

    public static string NewSid() => "SM" + Guid.NewGuid().ToString("N");

    public static string FormBody(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>Twilio's scheme, written out: URL, then name+value of each parameter sorted by name, HMAC, Base64.</summary>
    public static string Sign(string token, string url, IEnumerable<KeyValuePair<string, string>> parameters, bool sha256 = false)
    {
        var text = new StringBuilder(url);
        foreach (var p in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(p.Key).Append(p.Value);
        }

        var key = Encoding.UTF8.GetBytes(token);
        var data = Encoding.UTF8.GetBytes(text.ToString());
        return Convert.ToBase64String(sha256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data));
    }

    /// <summary>A status callback as one flat JSON object under the form's field names (ErrorCode as a JSON number).</summary>
    public static string JsonStatusCallback(string messageSid, string status, int? errorCode = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ApiVersion"] = "2010-04-01",
            ["AccountSid"] = "AC00000000000000000000000000000000",
            ["From"] = "+15017122661",
            ["To"] = "+14155550100",
            ["MessageSid"] = messageSid,
            ["MessageStatus"] = status,
        }.Concat(errorCode is { } code ? [new KeyValuePair<string, object>("ErrorCode", code)] : []).ToDictionary());

    /// <summary>bodySHA256 as Twilio's webhooks-security page describes it: SHA-256 of the raw body, lowercase hex.</summary>
    public static string BodySha256(string body) => string.Concat(SHA256.HashData(Encoding.UTF8.GetBytes(body)).Select(b => b.ToString("x2")));

    /// <summary>The URL with Twilio's bodySHA256 query parameter appended, as Twilio does for a JSON body.</summary>
    public static string WithBodyHash(string url, string body) => $"{url}{(url.Contains('?') ? '&' : '?')}bodySHA256={BodySha256(body)}";

    public static async Task<(int Status, string Body, string? ContentType)> PostFormAsync(this IAlbaHost host, string url, string body,
        IEnumerable<KeyValuePair<string, string>> headers, string contentType = "application/x-www-form-urlencoded")
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The refused request is on record in quarantine, with the reason the problem body named.</summary>
    public static async Task<RawRequestRecord> QuarantinedRecord(this LedgerFixture fixture, string problemBody)
    {
        var requestId = JsonDocument.Parse(problemBody).RootElement.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        var events = await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId));
        events.Single().Data.ShouldBeOfType<RequestQuarantined>().Reason.ShouldBe(record.Reason);
        return record;
    }

    /// <summary>A request as the adapter sees it, for the pure tests.</summary>
    public static RawCallback Raw(string url, string body, IEnumerable<KeyValuePair<string, string>> headers,
        string contentType = "application/x-www-form-urlencoded", string method = "POST")
    {
        var uri = new Uri(url);
        var all = new List<HeaderEntry> { new("Content-Type", contentType) };
        all.AddRange(headers.Select(h => new HeaderEntry(h.Key, h.Value)));
        return new RawCallback(Guid.NewGuid(), method, url, uri.AbsolutePath, uri.Query, all, Encoding.UTF8.GetBytes(body), "127.0.0.1", DateTimeOffset.UtcNow);
    }
}
