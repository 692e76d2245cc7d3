using System.Net;
using System.Text;
using Ledger.Tests.Support;
using Ledger.Tests.Ui;

namespace Ledger.Tests.Edges;

/// <summary>
/// Every accepted item is readable: a message key holding `/` (sent as `%2F`) opens its message and history on
/// the real server (Kestrel keeps `%2F` encoded in the route value; the key is read from the request target).
/// Before, such a key was stored and then answered 404. Through Kestrel, since the in-memory test server
/// decodes `%2F` before routing.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_a_message_key_holds_a_slash(LedgerFixture fixture)
{
    [Fact]
    public async Task its_message_and_history_open_with_the_slash_encoded()
    {
        using var site = new LedgerSite(fixture.ConnectionString);
        using var http = new HttpClient { BaseAddress = site.Start() };
        http.DefaultRequestHeaders.Add("X-Api-Key", LedgerApi.SupportKey);
        var sid = "gw/" + Payloads.NewId() + "/a%b";
        using var push = new StringContent(Payloads.Array(Payloads.TencentItem(sid, "SUCCESS")), Encoding.UTF8, "application/json");
        (await http.PostAsync("/callbacks/tencent", push)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var status = await http.GetAsync($"/messages/tencent/{Uri.EscapeDataString(sid)}");
        status.StatusCode.ShouldBe(HttpStatusCode.OK, await status.Content.ReadAsStringAsync());
        (await status.Content.ReadAsStringAsync()).ShouldContain($"\"messageKey\":\"{sid}\"");
        (await http.GetAsync($"/messages/tencent/{Uri.EscapeDataString(sid)}/history")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // A key with no slash reads as before; a literal "%2F" in a key (sent as %252F) stays what it is.
        (await http.GetAsync($"/messages/tencent/{Uri.EscapeDataString("gw%2F" + sid)}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
