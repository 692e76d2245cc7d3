using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Projections;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Replies;

/// <summary>Each provider's documented reply shape through HTTP and PostgreSQL, read back through the API.</summary>
[Collection(LedgerCollection.Name)]
public sealed class when_phones_reply(LedgerFixture fixture)
{
    private Alba.IAlbaHost Host => fixture.Host;

    private static void ShouldBeTheReply(JsonElement reply, string provider, string content, bool unsubscribe = false)
    {
        reply.GetProperty("provider").GetString().ShouldBe(provider);
        reply.GetProperty("account").GetString().ShouldNotBeNullOrEmpty();
        reply.GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        reply.GetProperty("content").GetString().ShouldBe(content);
        reply.GetProperty("unsubscribe").GetBoolean().ShouldBe(unsubscribe);
        reply.GetProperty("phone").GetString()!.ShouldContain("****");
        reply.GetProperty("duplicateCount").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task an_alibaba_smsup_reply_is_recorded_in_its_own_stream_and_answered_after_the_commit()
    {
        var phone = ReplyPayloads.NewPhone();
        var sequence = Random.Shared.NextInt64(1_000_000_000, 9_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (status, body, _) = await Host.PostAsync("/callbacks/aliyun/replies", ReplyPayloads.AliyunSmsUp(phone, "好的，收到", sequence));

        status.ShouldBe(200);
        body.ShouldBe("""{"code":0,"msg":"接收成功"}""");
        var reply = await Host.OnlyReplyOf(phone);
        ShouldBeTheReply(reply, "aliyun", "好的，收到");
        reply.GetProperty("id").GetString().ShouldBe(sequence);
        reply.GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T02:40:00Z"));
        reply.GetProperty("to").GetString().ShouldBe("1234");

        var (one, single) = await Host.GetJsonAsync($"/replies/aliyun/{sequence}", LedgerApi.AdminKey);
        one.ShouldBe(200);
        single.GetProperty("phone").GetString().ShouldBe(phone);

        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKeys.Reply("aliyun", sequence));
        var received = events.Single().Data.ShouldBeOfType<ReplyReceived>();
        received.ParserVersion.ShouldBe("aliyun-reply/1");
        received.RawItem.ShouldContain(sequence);
        (await session.LoadAsync<Message>($"aliyun:{sequence}")).ShouldBeNull();
    }

    [Fact]
    public async Task an_alibaba_smsup_push_to_the_status_route_is_taken_as_a_reply_not_refused_as_missing_id()
    {
        var phone = ReplyPayloads.NewPhone();
        var sequence = Random.Shared.NextInt64(1_000_000_000, 9_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

        (await Host.PostAsync("/callbacks/aliyun", ReplyPayloads.AliyunSmsUp(phone, "TD", sequence))).Status.ShouldBe(200);

        ShouldBeTheReply(await Host.OnlyReplyOf(phone), "aliyun", "TD", unsubscribe: true);
    }

    [Fact]
    public async Task a_tencent_reply_object_is_read_on_the_replies_route_and_on_the_status_route()
    {
        var phone = ReplyPayloads.NewPhone();
        var (status, body, _) = await Host.PostAsync("/callbacks/tencent/replies", ReplyPayloads.TencentReply(phone, "退订"));
        status.ShouldBe(200);
        body.ShouldBe("""{"result":0,"errmsg":"OK"}""");
        var reply = await Host.OnlyReplyOf(phone);
        ShouldBeTheReply(reply, "tencent", "退订", unsubscribe: true);
        reply.GetProperty("providerTime").GetDateTimeOffset().ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1764038400));

        var other = ReplyPayloads.NewPhone();
        (await Host.PostAsync("/callbacks/tencent", ReplyPayloads.TencentReply(other, "几点到？"))).Status.ShouldBe(200);
        ShouldBeTheReply(await Host.OnlyReplyOf(other), "tencent", "几点到？");
    }

    [Fact]
    public async Task a_huawei_upstream_notification_is_read_as_a_reply()
    {
        var phone = ReplyPayloads.NewPhone();
        var id = Guid.NewGuid().ToString();
        var (status, _, _) = await Host.PostAsync("/callbacks/huawei/replies", ReplyPayloads.HuaweiUpstream(id, phone, "STOP"), "application/x-www-form-urlencoded");

        status.ShouldBe(200);
        var reply = await Host.OnlyReplyOf(phone);
        ShouldBeTheReply(reply, "huawei", "STOP", unsubscribe: true);
        reply.GetProperty("id").GetString().ShouldBe(id);
        reply.GetProperty("to").GetString().ShouldBe("106900001234");
    }

    [Fact]
    public async Task a_baidu_upstream_push_is_verified_like_its_status_callback_and_read_as_a_reply()
    {
        var phone = ReplyPayloads.NewPhone();
        var body = ReplyPayloads.BaiduUpstream(phone, "TD");

        (await Host.PostAsync("/callbacks/baidu/replies", body)).Status.ShouldBe(401); // unsigned: refused as a status push would be
        (await Host.PostBaiduReplyAsync(body)).Status.ShouldBe(200);

        ShouldBeTheReply(await Host.OnlyReplyOf(phone), "baidu", "TD", unsubscribe: true);
    }

    [Fact]
    public async Task a_ronglian_mo_push_is_a_reply_on_either_route()
    {
        var phone = ReplyPayloads.NewPhone();
        var (status, body, _) = await Host.PostAsync("/callbacks/ronglian/replies", ReplyPayloads.RonglianMo(phone, "t"));
        status.ShouldBe(200);
        body.ShouldBe("""{"statusCode":"000000"}""");
        ShouldBeTheReply(await Host.OnlyReplyOf(phone), "ronglian", "t", unsubscribe: true);

        var other = ReplyPayloads.NewPhone();
        (await Host.PostAsync("/callbacks/ronglian", ReplyPayloads.RonglianMo(other, "明天再说"))).Status.ShouldBe(200);
        ShouldBeTheReply(await Host.OnlyReplyOf(other), "ronglian", "明天再说");
    }

    [Fact]
    public async Task a_twilio_incoming_message_is_verified_like_its_status_callback_and_links_the_message_it_answers()
    {
        var phone = "+1415555" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var answered = "SM" + Guid.NewGuid().ToString("N");
        var parameters = ReplyPayloads.TwilioIncoming(sid, phone, "Stop", answered);

        var (unsigned, _, _) = await Host.PostAsync("/callbacks/twilio/replies", Providers.Twilio.TwilioRequests.FormBody(parameters), "application/x-www-form-urlencoded");
        unsigned.ShouldBe(401);
        var (status, body, contentType) = await Host.PostTwilioReplyAsync(parameters);

        status.ShouldBe(200);
        body.ShouldContain("<Response>");
        contentType.ShouldNotBeNull().ShouldContain("xml");
        var reply = await Host.OnlyReplyOf(phone);
        ShouldBeTheReply(reply, "twilio", "Stop", unsubscribe: true);
        reply.GetProperty("inReplyTo").GetString().ShouldBe(answered);

        var (linked, page) = await Host.GetJsonAsync($"/replies?provider=twilio&inReplyTo={answered}&phone={Uri.EscapeDataString(phone)}");
        linked.ShouldBe(200);
        page.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString().ShouldBe(sid);
    }

    [Fact]
    public async Task a_vonage_inbound_message_is_verified_with_its_signature_and_read_as_a_reply()
    {
        var phone = "4477009" + Random.Shared.Next(10000, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = "0B" + Guid.NewGuid().ToString("N")[..14].ToUpperInvariant();

        var (status, _) = await Host.PostVonageReplyAsync(ReplyPayloads.VonageInbound(id, phone, "UNSUBSCRIBE"));

        status.ShouldBe(200);
        var reply = await Host.OnlyReplyOf(phone);
        ShouldBeTheReply(reply, "vonage", "UNSUBSCRIBE", unsubscribe: true);
        reply.GetProperty("id").GetString().ShouldBe(id);
    }

    [Fact]
    public async Task a_reply_pushed_again_is_appended_and_recorded_once_as_a_duplicate()
    {
        var phone = ReplyPayloads.NewPhone();
        var body = ReplyPayloads.TencentReply(phone, "收到");

        (await Host.PostAsync("/callbacks/tencent/replies", body)).Status.ShouldBe(200);
        (await Host.PostAsync("/callbacks/tencent/replies", body)).Status.ShouldBe(200);

        var reply = await Host.OnlyReplyOf(phone);
        reply.GetProperty("duplicateCount").GetInt32().ShouldBe(1);
        await using var session = fixture.Store.QuerySession();
        var stream = StreamKeys.Reply("tencent", reply.GetProperty("id").GetString()!);
        (await session.Events.FetchStreamAsync(stream)).Count.ShouldBe(2);
        var document = await session.LoadAsync<Reply>(stream);
        document.ShouldNotBeNull();
        document.ReceivedCount.ShouldBe(2);
    }

    [Fact]
    public async Task a_reply_of_an_unknown_shape_is_quarantined_with_a_reason()
    {
        var (status, body, _) = await Host.PostAsync("/callbacks/aliyun/replies", Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13800000999", true)));

        status.ShouldBe(400);
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("reason").GetString().ShouldBe("unknown_reply_shape");
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(problem.GetProperty("requestId").GetGuid());
        record.ShouldNotBeNull().Outcome.ShouldBe(RequestOutcomes.Quarantined);
        var quarantined = (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(record.Id))).Single().Data.ShouldBeOfType<RequestQuarantined>();
        quarantined.Reason.ShouldBe("unknown_reply_shape");
        quarantined.Detail.ShouldContain("SmsUp");
    }

    [Fact]
    public async Task phone_search_finds_the_numbers_replies_beside_its_messages()
    {
        var phone = ReplyPayloads.NewPhone();
        var biz = Payloads.NewId();
        (await Host.PostAsync("/callbacks/aliyun", Payloads.Array(Payloads.AliyunItem(biz, phone, true)))).Status.ShouldBe(200);
        (await Host.PostAsync("/callbacks/tencent/replies", ReplyPayloads.TencentReply(phone, "谢谢"))).Status.ShouldBe(200);

        var (status, page) = await Host.GetJsonAsync($"/messages?phone=%2B86{phone}");

        status.ShouldBe(200);
        page.GetProperty("items").EnumerateArray().Single().GetProperty("messageKey").GetString().ShouldBe($"{biz}:{phone[..3]}****{phone[7..]}");
        var replies = page.GetProperty("replies").EnumerateArray().ToList();
        replies.Single().GetProperty("content").GetString().ShouldBe("谢谢");
        replies.Single().GetProperty("phone").GetString()!.ShouldContain("****");
    }

    [Fact]
    public async Task replies_is_not_an_account_and_a_provider_without_replies_refuses_its_replies_route()
    {
        (await Host.PostAsync("/callbacks/aliyun/replies/nobody", ReplyPayloads.AliyunSmsUp(ReplyPayloads.NewPhone(), "x", "1"))).Status.ShouldBe(404);
        (await Host.PostAsync("/callbacks/generic/replies", "{}")).Status.ShouldBe(404);
        (await Host.GetJsonAsync("/replies/aliyun/does-not-exist")).Status.ShouldBe(404);
    }
}
