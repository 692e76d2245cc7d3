using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ledger.Tests.Pull.Fakes;

/// <summary>
/// api.twilio.com as far as fetching a Message resource goes: Basic auth with AccountSid:AuthToken,
/// the documented resource for known sids, 404 (20404) for others, 401 (20003) and 429 (20429) errors.
/// </summary>
public sealed partial class FakeTwilioApi : FakeProviderApi
{
    public const string AccountSid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string AuthToken = "fake-twilio-auth-token-7f3c";
    public const string DocumentedSid = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /// <summary>Message resources by sid (the documented one is there from the start).</summary>
    public ConcurrentDictionary<string, string> Messages { get; } = new() { [DocumentedSid] = DocumentedAnswers.TwilioMessage };

    /// <summary>The Retry-After seconds sent with a 429.</summary>
    public int RetryAfterSeconds { get; set; } = 7;

    private FakeTwilioApi()
    {
    }

    public static async Task<FakeTwilioApi> StartAsync()
    {
        var api = new FakeTwilioApi();
        await api.StartHostAsync();
        return api;
    }

    [GeneratedRegex("^/2010-04-01/Accounts/(?<account>[^/]+)/Messages/(?<sid>[^/]+)\\.json$")]
    private static partial Regex MessagePath();

    protected override FakeReply? Authenticate(FakeRequest request)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        var presented = request.Header("Authorization") ?? "";
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected))
            ? null
            : new FakeReply(401, DocumentedAnswers.TwilioError(20003, "Authenticate", 401), Headers: new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"Twilio API\"" });
    }

    protected override FakeReply Throttled(FakeRequest request) => new(429, DocumentedAnswers.TwilioError(20429, "Too Many Requests", 429),
        Headers: new Dictionary<string, string> { ["Retry-After"] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    protected override FakeReply Answer(FakeRequest request)
    {
        var match = MessagePath().Match(request.Path);
        if (request.Method != "GET" || !match.Success || match.Groups["account"].Value != AccountSid)
        {
            return new FakeReply(404, DocumentedAnswers.TwilioError(20404, "The requested resource was not found", 404));
        }

        return Messages.TryGetValue(match.Groups["sid"].Value, out var resource)
            ? new FakeReply(200, resource)
            : new FakeReply(404, DocumentedAnswers.TwilioError(20404, $"The requested resource {request.Path} was not found", 404));
    }
}
