using Ledger.Providers;
using Ledger.Tests.Providers.Twilio;
using Ledger.Tests.Support;
using static Ledger.Tests.Providers.Vonage.VonageRequests;

namespace Ledger.Tests.Providers.Vonage;

/// <summary>
/// Through the real pipeline; Accounts/vonage.json configures `default` (unsigned, URL token),
/// `signed` (md5hash, two secrets) and `hmac` (sha256).
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_vonage_sends_a_delivery_receipt(LedgerFixture fixture)
{
    private const string FormType = "application/x-www-form-urlencoded";

    [Fact]
    public async Task a_get_receipt_on_the_unsigned_account_with_its_token_is_acknowledged_with_an_empty_200()
    {
        var id = NewId();
        var parameters = Receipt(id, "delivered");
        parameters.Add(new("client-ref", "order-7"));

        var (status, reply) = await fixture.Host.GetAsync($"/callbacks/vonage?{Encoded(parameters)}&token=vonage-url-token");

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("final").GetBoolean().ShouldBeTrue();
        view.GetProperty("outId").GetString().ShouldBe("order-7");
        view.GetProperty("phone").GetString().ShouldBe("4475****2824");
        view.GetProperty("reportedAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2026-11-25T10:32:05Z"));
    }

    [Fact]
    public async Task an_unsigned_receipt_without_the_url_token_gets_401_and_is_kept_in_quarantine()
    {
        var id = NewId();
        var (status, problem) = await fixture.Host.GetAsync($"/callbacks/vonage?{Encoded(Receipt(id))}");

        status.ShouldBe(401);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadToken);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_signed_get_receipt_is_accepted()
    {
        var id = NewId();
        var (status, _) = await fixture.Host.GetAsync($"/callbacks/vonage/signed?{Encoded(Signed(Receipt(id, "expired", "5"), "new-signature-secret"))}");

        status.ShouldBe(200);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
        view.GetProperty("status").GetString().ShouldBe("failed");
        view.GetProperty("errorCode").GetString().ShouldBe("5");
    }

    [Fact]
    public async Task a_replayed_signed_receipt_is_refused_for_its_reused_nonce_and_kept_in_quarantine()
    {
        var id = NewId();
        var query = Encoded(Signed(Receipt(id), "new-signature-secret"));

        (await fixture.Host.GetAsync($"/callbacks/vonage/signed?{query}")).Status.ShouldBe(200);
        var (status, body) = await fixture.Host.GetAsync($"/callbacks/vonage/signed?{query}");

        status.ShouldBe(401);
        body.ShouldContain(RejectionReasons.ReusedNonce);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task a_signed_form_post_is_accepted()
    {
        var id = NewId();
        var (status, reply) = await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(Signed(Receipt(id, "buffered"), "new-signature-secret")), FormType);

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
        view.GetProperty("status").GetString().ShouldBe("pending");
        view.GetProperty("final").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task a_signed_json_post_is_accepted()
    {
        var id = NewId();
        var (status, _) = await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Json(Signed(Receipt(id, "rejected"), "new-signature-secret")), "application/json");

        status.ShouldBe(200);
        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
        view.GetProperty("status").GetString().ShouldBe("failed");
    }

    [Fact]
    public async Task an_hmac_sha256_account_verifies_with_hmac_sha256()
    {
        var id = NewId();
        var parameters = Signed(Receipt(id), "hmac-signature-secret", method: "sha256");

        (await fixture.Host.PostBodyAsync("/callbacks/vonage/hmac", Encoded(parameters), FormType)).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task the_previous_signature_secret_still_verifies_during_rotation()
    {
        var id = NewId();
        (await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(Signed(Receipt(id), "old-signature-secret")), FormType)).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_field_vonage_adds_later_is_signed_like_the_others_and_still_verifies()
    {
        var id = NewId();
        var parameters = Receipt(id);
        parameters.Add(new("api-key", "abcd1234"));
        parameters.Add(new("brand-new-field", "a=b&c"));

        (await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(Signed(parameters, "new-signature-secret")), FormType)).Status.ShouldBe(200);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_wrong_signature_gets_401_and_is_kept_in_quarantine_without_a_message()
    {
        var id = NewId();
        var (status, problem) = await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(Signed(Receipt(id), "not-the-secret")), FormType);

        status.ShouldBe(401);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_one_byte_change_to_a_signed_receipt_fails_verification()
    {
        var id = NewId();
        var body = Encoded(Signed(Receipt(id, "failed"), "new-signature-secret")).Replace("status=failed", "status=failec", StringComparison.Ordinal);

        var (status, problem) = await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", body, FormType);

        status.ShouldBe(401);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.BadSignature);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(404);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task a_correctly_signed_receipt_outside_the_timestamp_window_gets_401(int offsetSeconds)
    {
        var id = NewId();
        var parameters = Signed(Receipt(id), "new-signature-secret", DateTimeOffset.UtcNow.AddSeconds(offsetSeconds));

        var (status, problem) = await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(parameters), FormType);

        status.ShouldBe(401);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        (await fixture.Host.GetJsonAsync($"/messages/vonage/{id}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task a_second_signed_receipt_for_the_same_message_is_recorded_too()
    {
        var id = NewId();
        (await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(Signed(Receipt(id, "accepted"), "new-signature-secret")), FormType)).Status.ShouldBe(200);
        (await fixture.Host.PostBodyAsync("/callbacks/vonage/signed", Encoded(Signed(Receipt(id, "delivered"), "new-signature-secret")), FormType)).Status.ShouldBe(200);

        var (_, view) = await fixture.Host.GetJsonAsync($"/messages/vonage/{id}");
        view.GetProperty("status").GetString().ShouldBe("delivered");
        view.GetProperty("callbackCount").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task an_xml_post_gets_400_wrong_content_type_and_is_kept_in_quarantine()
    {
        var (status, problem) = await fixture.Host.PostBodyAsync("/callbacks/vonage?token=vonage-url-token", "<dlr/>", "application/xml");

        status.ShouldBe(400);
        (await fixture.QuarantinedRecord(problem)).Reason.ShouldBe(RejectionReasons.WrongContentType);
    }
}
