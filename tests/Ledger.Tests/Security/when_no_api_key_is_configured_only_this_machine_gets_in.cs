using System.Net;
using System.Text.Json;
using Alba;
using Ledger.Tests.Reconciliation;
using Ledger.Tests.Support;

namespace Ledger.Tests.Security;

/// <summary>
/// Keyless mode (no API key configured) serves the read and admin API to callers on this machine only, as
/// admin. "On this machine" is checked for real: a loopback socket address, no forwarding header from a
/// peer that is not a trusted proxy, a Host naming the loopback (DNS rebinding), and writes in a content
/// type a cross-site form cannot send. Callbacks are not affected by any of it.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_no_api_key_is_configured_only_this_machine_gets_in(LedgerFixture fixture) : IAsyncLifetime
{
    private const string Token = "keyless-test-token";
    private const string Callbacks = $"/callbacks/aliyun?token={Token}";

    private IAlbaHost _host = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        // No LoopbackCaller: requests carry exactly the address each test gives them, or none.
        _host = await LedgerFixture.StartHostAsync(fixture.ConnectionString, "kl" + Payloads.NewId()[..10],
            new Dictionary<string, string?> { ["Ledger:Providers:aliyun:default:Token"] = Token }, loopbackCaller: false);
        var biz = Payloads.NewId();
        (await _host.PostAsync(Callbacks, Payloads.Array(Payloads.AliyunItem(biz, "13800000611", true)))).Status.ShouldBe(200);
        _url = $"/messages/aliyun/{biz}:13800000611";
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(int Status, string Detail)> SendAsync(string method, string url, IPAddress? remote, string host = "localhost",
        (string Name, string Value)? header = null, string? body = null, string? contentType = null)
    {
        var result = await _host.Scenario(x =>
        {
            if (method == "GET")
            {
                x.Get.Url(url);
            }
            else
            {
                x.Post.Url(url);
            }

            x.ConfigureHttpContext(c =>
            {
                c.Connection.RemoteIpAddress = remote;
                c.Request.Host = new Microsoft.AspNetCore.Http.HostString(host);
                if (body is not null)
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                    c.Request.Body = new MemoryStream(bytes);
                    c.Request.ContentLength = bytes.Length;
                }

                c.Request.ContentType = string.IsNullOrEmpty(contentType) ? null : contentType;
            });
            if (header is { } h)
            {
                x.WithRequestHeader(h.Name, h.Value);
            }

            x.IgnoreStatusCode();
        });
        var text = result.ReadAsText();
        var detail = text.StartsWith('{') && JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return (result.Context.Response.StatusCode, detail);
    }

    [Fact]
    public async Task a_loopback_caller_naming_the_loopback_gets_in_on_any_port()
    {
        foreach (var host in new[] { "localhost", "localhost:5080", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:5080" })
        {
            (await SendAsync("GET", _url, IPAddress.Loopback, host)).Status.ShouldBe(200, host);
        }

        (await SendAsync("GET", _url, IPAddress.IPv6Loopback)).Status.ShouldBe(200);
        (await SendAsync("GET", _url, IPAddress.Loopback.MapToIPv6())).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_request_without_a_remote_address_is_not_loopback()
    {
        var (status, detail) = await SendAsync("GET", _url, remote: null);
        status.ShouldBe(403);
        detail.ShouldContain("no remote address");
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Forwarded-For", "127.0.0.1")]
    [InlineData("Forwarded", "for=203.0.113.9;proto=https")]
    public async Task a_request_forwarded_by_an_untrusted_peer_on_this_machine_is_refused(string name, string value)
    {
        var (status, detail) = await SendAsync("GET", _url, IPAddress.Loopback, header: (name, value));
        status.ShouldBe(403);
        detail.ShouldContain(name);
        detail.ShouldContain("Ledger__TrustedProxies");
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:5080")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("localhost.attacker.example")]
    [InlineData("")]
    public async Task a_host_header_that_does_not_name_the_loopback_is_refused_against_dns_rebinding(string host)
    {
        var (status, detail) = await SendAsync("GET", _url, IPAddress.Loopback, host);
        status.ShouldBe(403);
        detail.ShouldContain("does not name the loopback");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("")]
    public async Task a_write_in_a_type_a_cross_site_form_can_send_is_refused(string contentType)
    {
        var body = Payloads.Array(Finance.Sent("tencent", Payloads.NewId(), "2026-11-25T10:00:00+08:00"));
        var (status, detail) = await SendAsync("POST", "/messages/sent", IPAddress.Loopback, body: body, contentType: contentType);
        status.ShouldBe(415);
        detail.ShouldContain("application/json");

        (await SendAsync("POST", "/replays", IPAddress.Loopback, body: """{"provider":"aliyun","dryRun":true}""", contentType: contentType)).Status.ShouldBe(415);
    }

    [Fact]
    public async Task a_write_in_json_or_csv_is_served()
    {
        var json = Payloads.Array(Finance.Sent("tencent", Payloads.NewId(), "2026-11-25T10:00:00+08:00"));
        (await SendAsync("POST", "/messages/sent", IPAddress.Loopback, body: json, contentType: "application/json; charset=utf-8")).Status.ShouldBe(200);
        var csv = $"provider,account,messageKey,phone,sentAt,billedParts,outId\ntencent,default,{Payloads.NewId()},13800138000,2026-11-25 10:33:00,1,x\n";
        (await SendAsync("POST", "/messages/sent", IPAddress.Loopback, body: csv, contentType: "text/csv")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task callbacks_are_not_affected_by_any_of_it()
    {
        var biz = Payloads.NewId();
        var body = Payloads.Array(Payloads.AliyunItem(biz, "13800000612", true));
        (await SendAsync("POST", Callbacks, remote: null, body: body, contentType: "application/json")).Status.ShouldBe(200);
        (await SendAsync("POST", Callbacks, IPAddress.Parse("203.0.113.9"), "ledger.example.com", ("X-Forwarded-For", "198.51.100.1"),
            Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000613", true)), "application/json")).Status.ShouldBe(200);
    }
}
