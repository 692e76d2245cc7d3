using System.Text.Json;
using Ledger.Events;
using Ledger.Ingest;
using Ledger.Providers;
using Ledger.Tests.Support;
using Marten;

namespace Ledger.Tests.Providers.Huawei;

/// <summary>
/// AK/SK-signed pushes through the real pipeline. Accounts/huawei.json: `signed` has the app key and two
/// app secrets (rotation), `audit` ignores the X-Sdk-Date window, `keyonly` has half a pair, `default`
/// is unsigned as before.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_huawei_signs_its_reports(LedgerFixture fixture)
{
    private const string Signed = "/callbacks/huawei/signed";

    private async Task ShouldBeQuarantined(string problemBody, string reason, string? messageKey)
    {
        var problem = JsonDocument.Parse(problemBody).RootElement;
        problem.GetProperty("reason").GetString().ShouldBe(reason);
        var requestId = problem.GetProperty("requestId").GetGuid();
        await using var session = fixture.Store.QuerySession();
        var record = await session.LoadAsync<RawRequestRecord>(requestId);
        record.ShouldNotBeNull();
        record.Outcome.ShouldBe(RequestOutcomes.Quarantined);
        record.Reason.ShouldBe(reason);
        (await session.Events.FetchStreamAsync(StreamKeys.Quarantine(requestId))).Single().Data.ShouldBeOfType<RequestQuarantined>().Reason.ShouldBe(reason);
        if (messageKey is not null)
        {
            (await fixture.Host.GetJsonAsync($"/messages/huawei/{messageKey}")).Status.ShouldBe(404);
        }
    }

    [Fact]
    public async Task a_correctly_signed_report_is_acknowledged_and_reads_back()
    {
        var id = Payloads.NewId();

        var (status, reply) = await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow);

        status.ShouldBe(200);
        reply.ShouldBe("");
        var (found, view) = await fixture.Host.GetJsonAsync($"/messages/huawei/{id}");
        found.ShouldBe(200);
        view.GetProperty("status").GetString().ShouldBe("delivered");
    }

    [Fact]
    public async Task a_report_signed_with_the_previous_app_secret_is_still_accepted()
    {
        var id = Payloads.NewId();

        (await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow, secret: HuaweiSigner.OldSecret)).Status.ShouldBe(200);

        (await fixture.Host.GetJsonAsync($"/messages/huawei/{id}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task a_wrong_signature_gets_401_and_is_quarantined()
    {
        var id = Payloads.NewId();

        var (status, problem) = await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow, secret: "guessed-secret");

        status.ShouldBe(401);
        problem.ShouldNotContain(HuaweiSigner.NewSecret);
        await ShouldBeQuarantined(problem, RejectionReasons.BadSignature, id);
    }

    [Fact]
    public async Task a_request_without_the_authorization_header_gets_401_and_is_quarantined()
    {
        var id = Payloads.NewId();

        var (status, problem) = await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow, withAuthorization: false);

        status.ShouldBe(401);
        await ShouldBeQuarantined(problem, RejectionReasons.BadSignature, id);
    }

    [Fact]
    public async Task a_request_without_x_sdk_date_gets_401_and_is_quarantined()
    {
        var id = Payloads.NewId();

        var (status, problem) = await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow, withDate: false);

        status.ShouldBe(401);
        problem.ShouldContain("X-Sdk-Date");
        await ShouldBeQuarantined(problem, RejectionReasons.BadSignature, id);
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(600)]
    public async Task a_stale_or_future_date_gets_401_and_is_quarantined(int seconds)
    {
        var id = Payloads.NewId();

        var (status, problem) = await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow.AddSeconds(seconds));

        status.ShouldBe(401);
        await ShouldBeQuarantined(problem, RejectionReasons.StaleTimestamp, id);
    }

    [Fact]
    public async Task a_report_signed_with_another_app_key_gets_401_and_is_quarantined()
    {
        var id = Payloads.NewId();

        var (status, problem) = await fixture.Host.PostSignedAsync(Signed, HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow, appKey: "someone-elses-key");

        status.ShouldBe(401);
        problem.ShouldContain("app key");
        await ShouldBeQuarantined(problem, RejectionReasons.BadSignature, id);
    }

    [Fact]
    public async Task a_body_changed_by_one_byte_after_signing_gets_401_and_is_quarantined()
    {
        var id = Payloads.NewId();

        var body = HuaweiRequests.SingleForm(id, status: "UNDELIV");
        static string OneByteChanged(string signed) => signed.Replace("status=UNDELIV", "status=UNDELIX");
        OneByteChanged(body).Zip(body).Count(pair => pair.First != pair.Second).ShouldBe(1);

        var (status, problem) = await fixture.Host.PostSignedAsync(Signed, body, DateTimeOffset.UtcNow, tamper: OneByteChanged);

        status.ShouldBe(401);
        await ShouldBeQuarantined(problem, RejectionReasons.BadSignature, id);
    }

    [Fact]
    public async Task the_audit_account_accepts_an_old_signed_report_because_it_ignores_the_date_window()
    {
        var id = Payloads.NewId();

        (await fixture.Host.PostSignedAsync("/callbacks/huawei/audit", HuaweiRequests.SingleForm(id), DateTimeOffset.UtcNow.AddDays(-3))).Status.ShouldBe(200);

        (await fixture.Host.GetJsonAsync($"/messages/huawei/{id}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task an_account_with_an_app_key_but_no_secret_refuses_naming_the_setting_to_configure()
    {
        var (status, problem) = await fixture.Host.PostSignedAsync("/callbacks/huawei/keyonly", HuaweiRequests.SingleForm(Payloads.NewId()), DateTimeOffset.UtcNow);

        status.ShouldBe(401);
        problem.ShouldContain("Ledger__Providers__huawei__keyonly__Secrets__0");
        await ShouldBeQuarantined(problem, RejectionReasons.BadSignature, null);
    }

    [Fact]
    public async Task the_unsigned_default_account_accepts_an_unsigned_report_as_before()
    {
        var id = Payloads.NewId();

        (await fixture.Host.PostAsync("/callbacks/huawei", HuaweiRequests.SingleForm(id), HuaweiRequests.Form)).Status.ShouldBe(200);

        (await fixture.Host.GetJsonAsync($"/messages/huawei/{id}")).Json.GetProperty("status").GetString().ShouldBe("delivered");
    }
}
