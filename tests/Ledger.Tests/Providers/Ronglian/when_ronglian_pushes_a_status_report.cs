using System.Text;
using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Ronglian;

[Collection(LedgerCollection.Name)]
public sealed class when_ronglian_pushes_a_status_report(LedgerFixture fixture)
{
    private const string XmlReply = """<?xml version="1.0" encoding="UTF-8"?><Response><statuscode>000000</statuscode></Response>""";

    private async Task<RawRequestRecord> QuarantinedRecord(string problemBody, string reason)
    {
        var requestId = JsonDocument.Parse(problemBody).RootElement.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(reason);
        (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId))).Single().Data.ShouldBeOfType<RequestQuarantined>();
        return record;
    }

    private async Task<ReportReceived> Received(string sid)
    {
        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync($"ronglian:{sid}");
        events.Select(e => e.Data.GetType()).ShouldBe([typeof(ReportReceived)]);
        return (ReportReceived)events[0].Data;
    }

    [Fact]
    public async Task a_json_report_is_acknowledged_with_the_json_reply_and_reads_back_in_utc()
    {
        var sid = Payloads.NewId();

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/ronglian", RonglianPayloads.Json(sid));

        status.ShouldBe(200);
        reply.ShouldBe("""{"statusCode":"000000"}""");
        contentType!.ShouldContain("application/json");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("providerStatus").GetString().ShouldBe("DELIVRD");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2013-09-22T17:00:10Z"));
        view.GetProperty("phone").GetString().ShouldBe("139****5678");
        view.GetProperty("outId").GetString().ShouldBe("123");
        view.GetProperty("billedParts").GetInt32().ShouldBe(2);
        view.GetProperty("parserVersion").GetString().ShouldBe("ronglian/1");
    }

    [Fact]
    public async Task an_xml_report_is_acknowledged_with_the_xml_reply_and_a_failure_keeps_its_deliver_code()
    {
        var sid = Payloads.NewId();

        var (status, reply, contentType) = await fixture.Host.PostAsync("/callbacks/ronglian", RonglianPayloads.Xml(sid, "1", "MK:0001"), "application/xml");

        status.ShouldBe(200);
        reply.ShouldBe(XmlReply);
        contentType!.ShouldContain("application/xml");
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}");
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("errorCode").GetString().ShouldBe("MK:0001");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2013-09-22T17:00:10Z"));
        (await Received(sid)).RawItem.ShouldBe(RonglianPayloads.XmlRequest(sid, "1", "MK:0001"));
    }

    [Fact]
    public async Task an_mo_push_is_kept_as_a_reply_in_its_own_stream_and_creates_no_message()
    {
        var sid = Payloads.NewId();
        var body = RonglianPayloads.Json(sid, smsType: "0");

        var (status, reply, _) = await fixture.Host.PostAsync($"/callbacks/ronglian?trace={sid}", body);

        status.ShouldBe(200);
        reply.ShouldBe("""{"statusCode":"000000"}""");
        (await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}")).Status.ShouldBe(404);
        await using var session = fixture.Store.QuerySession();
        var record = (await session.Query<RawRequestRecord>().Where(r => r.QueryString == $"?trace={sid}").ToListAsync()).ShouldHaveSingleItem();
        record.Provider.ShouldBe("ronglian");
        record.Outcome.ShouldBe(RequestOutcomes.Accepted);
        record.ItemCount.ShouldBe(1);
        // An MO's content is the text the phone sent: the reply's stream, never a message stream.
        record.Streams.ShouldHaveSingleItem().ShouldStartWith("ronglian:reply:");
        Encoding.UTF8.GetString(record.Body).ShouldBe(body);
    }

    [Theory]
    [InlineData("""{"Request":{"content":""", "application/json")]
    [InlineData("<Request><content>abc</content>", "application/xml")]
    public async Task a_malformed_body_gets_400_and_is_kept_in_quarantine(string body, string contentType)
    {
        var (status, problem, problemType) = await fixture.Host.PostAsync("/callbacks/ronglian", body, contentType);

        status.ShouldBe(400);
        problemType!.ShouldContain("application/problem+json");
        var record = await QuarantinedRecord(problem, RejectionReasons.Malformed);
        Encoding.UTF8.GetString(record.Body).ShouldBe(body);
    }

    [Fact]
    public async Task an_xml_body_with_a_dtd_is_refused_and_quarantined_without_expanding_it()
    {
        var sid = Payloads.NewId();
        var body = $"""<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY sid "{sid}">]><Request><smsType>1</smsType><content>&sid;</content><status>0</status></Request>""";

        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/ronglian", body, "application/xml");

        status.ShouldBe(400);
        JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!.ShouldContain("DTD");
        await QuarantinedRecord(problem, RejectionReasons.Malformed);
        (await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_report_without_content_is_refused_as_missing_id()
    {
        var (status, problem, _) = await fixture.Host.PostAsync("/callbacks/ronglian", RonglianPayloads.Xml(""), "application/xml");

        status.ShouldBe(400);
        await QuarantinedRecord(problem, RejectionReasons.MissingId);
    }

    [Fact]
    public async Task a_gbk_xml_body_is_stored_byte_for_byte_and_its_chinese_text_is_read_correctly()
    {
        var sid = Payloads.NewId();
        var bytes = RonglianPayloads.Gb18030.GetBytes(RonglianPayloads.Xml(sid, "1", "空号", encoding: "GBK"));
        Encoding.UTF8.GetString(bytes).ShouldNotContain("空号"); // the test really sends GBK bytes

        var (status, reply, _) = await fixture.Host.PostBytesAsync("/callbacks/ronglian", bytes, "application/xml; charset=GBK");

        status.ShouldBe(200);
        reply.ShouldBe(XmlReply);
        var received = await Received(sid);
        received.RawItem.ShouldContain("<deliverCode>空号</deliverCode>");
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(received.RequestId);
        record.ShouldNotBeNull();
        record.Body.ShouldBe(bytes);
        record.Headers.ShouldContain(h => h.Name == "Content-Type" && h.Value == "application/xml; charset=GBK");
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/ronglian/{sid}");
        view.GetProperty("providerStatus").GetString().ShouldBe("空号");
        view.GetProperty("status").GetString().ShouldBe("failed");
    }
}
