using System.Text.Json;
using Ledger.Events;
using Ledger.Providers;
using static Ledger.Events.FailureCategory;

namespace Ledger.Tests.Categories;

/// <summary>
/// The classification as a pure function, on each provider's documented codes, with the fields placed in the
/// report exactly as that provider's adapter places them (status, provider status, error code).
/// </summary>
public sealed class failure_category_rules
{
    private static void ShouldClassify(Classification actual, FailureCategory category, bool retryable)
    {
        actual.Category.ShouldBe(category);
        actual.Retryable.ShouldBe(retryable);
    }

    // ---- Rules that hold for every provider ----

    [Theory]
    [InlineData("aliyun", "DELIVERED", null)]
    [InlineData("tencent", "SUCCESS", "DELIVRD")]
    [InlineData("huawei", "DELIVRD", null)]
    [InlineData("twilio", "delivered", null)]
    [InlineData("vonage", "delivered", null)]
    [InlineData("baidu", "0", null)]
    [InlineData("ronglian", "DELIVRD", null)]
    [InlineData("generic", "DELIVRD", null)]
    public void a_delivered_report_is_delivered_and_never_retryable(string provider, string providerStatus, string? errorCode) =>
        ShouldClassify(FailureCategories.Classify(provider, DeliveryStatus.Delivered, providerStatus, errorCode), Delivered, false);

    [Fact]
    public void a_delivered_status_wins_over_any_failure_code_beside_it() =>
        ShouldClassify(FailureCategories.Classify("huawei", DeliveryStatus.Delivered, "MK:0001", "MK:0001"), Delivered, false);

    [Theory]
    [InlineData("twilio", "sent", null)]
    [InlineData("vonage", "buffered", null)]
    [InlineData("huawei", "ACCEPTD", "ACCEPTD")]
    public void a_pending_report_is_unknown_and_not_retryable_because_nothing_has_failed_yet(string provider, string providerStatus, string? errorCode) =>
        ShouldClassify(FailureCategories.Classify(provider, DeliveryStatus.Pending, providerStatus, errorCode), Unknown, false);

    [Theory]
    [InlineData("aliyun", "NO-SUCH-CODE")]
    [InlineData("tencent", "ZZ:9999")]
    [InlineData("huawei", "XYZ")]
    [InlineData("twilio", "39999")]
    [InlineData("vonage", "777")]
    [InlineData("baidu", "B:99999")]
    [InlineData("ronglian", "QQ:0000")]
    [InlineData("generic", "WHATEVER")]
    public void an_undocumented_code_is_unknown_and_not_retryable(string provider, string code) =>
        ShouldClassify(FailureCategories.Classify(provider, DeliveryStatus.Failed, code, code), Unknown, false);

    [Fact]
    public void a_failure_without_any_code_is_unknown() =>
        ShouldClassify(FailureCategories.Classify("twilio", DeliveryStatus.Failed, "undelivered", null), Unknown, false);

    [Fact]
    public void a_route_without_a_table_is_unknown() =>
        ShouldClassify(FailureCategories.Classify("no-such-route", DeliveryStatus.Failed, "MK:0001", "MK:0001"), Unknown, false);

    [Fact]
    public void a_delivered_code_on_a_failed_report_does_not_make_it_delivered() =>
        ShouldClassify(FailureCategories.Classify("tencent", DeliveryStatus.Failed, "FAIL", "DELIVRD"), Unknown, false);

    [Fact]
    public void codes_are_read_without_regard_to_case_or_surrounding_spaces() =>
        ShouldClassify(FailureCategories.Classify("huawei", DeliveryStatus.Unknown, " milimit ", " milimit "), RateLimited, true);

    [Fact]
    public void a_report_is_classified_from_the_fields_the_adapter_put_in_it()
    {
        var report = new Report(DeliveryStatus.Failed, true, "MK:0005", "MK:0005", null, null, null, null, null, "huawei/2");

        ShouldClassify(FailureCategories.Classify("huawei", report), InvalidNumber, false);
    }

    // ---- Alibaba: err_code, else the international Status ----

    [Theory]
    [InlineData("MK:0001", InvalidNumber, false)]      // carrier: 不存在的用户
    [InlineData("MK:0005", InvalidNumber, false)]      // carrier: 停机
    [InlineData("MK:0023", Unreachable, true)]         // carrier: 用户关机
    [InlineData("DB:0144", Blocked, false)]            // carrier: 网关黑名单
    [InlineData("IB:0008", RateLimited, true)]         // carrier: 流量控制错
    [InlineData("REJECTD", CarrierRejected, false)]
    [InlineData("EXPIRED", Expired, true)]
    [InlineData("isv.MOBILE_NUMBER_ILLEGAL", InvalidNumber, false)]
    [InlineData("isv.BUSINESS_LIMIT_CONTROL", RateLimited, true)]
    [InlineData("isv.BLACK_KEY_CONTROL_LIMIT", Blocked, false)]
    [InlineData("UNDELIV", Unknown, false)]
    public void alibaba_reads_err_code(string errCode, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("aliyun", DeliveryStatus.Failed, errCode, errCode), category, retryable);

    [Fact]
    public void alibaba_international_status_6_is_expired_when_its_error_code_says_nothing() =>
        ShouldClassify(FailureCategories.Classify("aliyun", DeliveryStatus.Failed, "6", "SOME_UNDOCUMENTED_CODE"), Expired, true);

    [Fact]
    public void alibaba_international_error_code_wins_over_its_status() =>
        ShouldClassify(FailureCategories.Classify("aliyun", DeliveryStatus.Failed, "2", "SMS_SECURITY_INTERCEPTED"), Blocked, false);

    // ---- Tencent: report_status FAIL, errmsg carries the code ----

    [Theory]
    [InlineData("-106", Blocked, false)]              // 运营商关键字拦截
    [InlineData("002", Unreachable, true)]            // 关机/停机/无法接通手机/不在服务区
    [InlineData("MK:0001", InvalidNumber, false)]     // carrier code passed through
    [InlineData("MI:0024", Unreachable, true)]
    [InlineData("EXPIRED", Expired, true)]
    public void tencent_reads_errmsg(string errmsg, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("tencent", DeliveryStatus.Failed, "FAIL", errmsg), category, retryable);

    // ---- Huawei: status is both provider status and error code ----

    [Theory]
    [InlineData("MILIMIT", RateLimited, true)]         // 达到分钟下发限制
    [InlineData("LIMIT", RateLimited, true)]
    [InlineData("BEYONDN", RateLimited, true)]
    [InlineData("KEYWORD", Blocked, false)]            // 短信关键字拦截
    [InlineData("BLACK", Blocked, false)]              // 号码黑名单
    [InlineData("MBBLACK", Blocked, false)]
    [InlineData("TDBLACK", Blocked, false)]
    public void huawei_supplier_platform_codes_arrive_with_an_unknown_status_and_still_say_what_happened(string status, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("huawei", DeliveryStatus.Unknown, status, status), category, retryable);

    [Theory]
    [InlineData("EXPIRED", Expired, true)]
    [InlineData("REJECTD", CarrierRejected, false)]
    [InlineData("UNDELIV", Unknown, false)]
    [InlineData("DELETED", Unknown, false)]
    [InlineData("E200027", CarrierRejected, false)]    // 匹配网关失败
    [InlineData("SC:0016", Blocked, false)]            // 退订黑名单拦截
    [InlineData("MK:1004", Blocked, false)]            // carrier: 关键字拦截
    [InlineData("MK:0001", InvalidNumber, false)]      // carrier: 不存在的用户
    [InlineData("MI:0024", Unreachable, true)]         // carrier: 用户手机关机
    public void huawei_final_statuses_and_platform_codes(string status, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("huawei", DeliveryStatus.Failed, status, status), category, retryable);

    [Fact]
    public void huawei_unknown_is_unknown() =>
        ShouldClassify(FailureCategories.Classify("huawei", DeliveryStatus.Unknown, "UNKNOWN", "UNKNOWN"), Unknown, false);

    // ---- Twilio: ErrorCode names the cause; MessageStatus does not ----

    [Theory]
    [InlineData("30003", Unreachable, true)]           // Unreachable destination handset
    [InlineData("30005", InvalidNumber, false)]        // Unknown destination handset
    [InlineData("30006", InvalidNumber, false)]        // Landline or unreachable carrier
    [InlineData("30007", Blocked, false)]              // Message filtered
    [InlineData("30004", Blocked, false)]              // Message blocked
    [InlineData("30008", Unknown, false)]              // Unknown error
    [InlineData("30001", RateLimited, true)]           // Queue overflow
    [InlineData("30022", RateLimited, true)]           // 10DLC rate limits exceeded
    [InlineData("30002", CarrierRejected, false)]      // Account suspended
    [InlineData("30024", CarrierRejected, false)]      // Numeric sender id not provisioned
    [InlineData("30021", Unknown, false)]              // Internal failure with messaging service orchestrator
    [InlineData("30036", Expired, true)]               // Validity period expired
    [InlineData("30042", CarrierRejected, false)]      // Sender ID blocked as generic
    [InlineData("30500", Unknown, true)]               // Twilio internal error: "Try sending the message again"
    [InlineData("30037", CarrierRejected, false)]      // Outbound messaging disabled
    [InlineData("30041", CarrierRejected, false)]      // Unregistered number to a UK number
    [InlineData("30450", Blocked, false)]              // Message delivery blocked
    [InlineData("30038", Unknown, false)]              // inbound-only (OTP filtered): not mapped
    [InlineData("30026", Unknown, false)]              // a warning, not a failure: not mapped
    public void twilio_reads_error_code(string errorCode, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("twilio", DeliveryStatus.Failed, "undelivered", errorCode), category, retryable);

    [Fact]
    public void a_twilio_status_word_is_not_a_code_even_when_it_looks_like_one() =>
        ShouldClassify(FailureCategories.Classify("twilio", DeliveryStatus.Failed, "expired", null), Unknown, false);

    // ---- Vonage: err-code, else the status word ----

    [Theory]
    [InlineData("2", Unreachable, true)]               // Absent Subscriber - Temporary
    [InlineData("3", InvalidNumber, false)]            // Absent Subscriber - Permanent
    [InlineData("4", Blocked, false)]                  // Call Barred by User
    [InlineData("6", Blocked, false)]                  // Anti-Spam Rejection
    [InlineData("7", Unreachable, true)]               // Handset Busy
    [InlineData("8", Unknown, true)]                   // Network Error. Retry.
    [InlineData("9", Blocked, false)]                  // Illegal Number (opted out)
    [InlineData("11", CarrierRejected, false)]         // Unroutable
    [InlineData("12", InvalidNumber, false)]           // Destination Unreachable
    public void vonage_reads_err_code(string errCode, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("vonage", DeliveryStatus.Failed, "failed", errCode), category, retryable);

    [Fact]
    public void vonage_expired_without_an_err_code_is_expired() =>
        ShouldClassify(FailureCategories.Classify("vonage", DeliveryStatus.Failed, "expired", null), Expired, true);

    [Fact]
    public void vonage_err_code_unknown_lets_the_expired_status_speak() =>
        ShouldClassify(FailureCategories.Classify("vonage", DeliveryStatus.Failed, "expired", "1"), Expired, true);

    [Fact]
    public void vonage_err_code_unknown_with_a_status_that_names_no_cause_stays_unknown() =>
        ShouldClassify(FailureCategories.Classify("vonage", DeliveryStatus.Failed, "failed", "1"), Unknown, false);

    [Fact]
    public void vonage_network_error_keeps_its_documented_retry_through_the_fall_back() =>
        ShouldClassify(FailureCategories.Classify("vonage", DeliveryStatus.Failed, "failed", "8"), Unknown, true);

    // ---- Baidu: code 2, carrierCode names the cause ----

    [Theory]
    [InlineData("B:00010", InvalidNumber, false)]      // 非法手机号
    [InlineData("B:00011", Blocked, false)]            // 关键字拦截
    [InlineData("B:00012", Blocked, false)]            // 黑名单管控
    [InlineData("B:00019", RateLimited, true)]         // 业务限流
    [InlineData("B:00008", CarrierRejected, false)]    // 短信签名不合法
    [InlineData("MK:0005", InvalidNumber, false)]      // carrier code passed through
    public void baidu_reads_carrier_code(string carrierCode, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify("baidu", DeliveryStatus.Failed, "2", carrierCode), category, retryable);

    // ---- Ronglian and generic: the carrier's stat ----

    [Theory]
    [InlineData("ronglian", "MK:0001", InvalidNumber, false)]
    [InlineData("ronglian", "EXPIRED", Expired, true)]
    [InlineData("ronglian", "DB:0144", Blocked, false)]
    [InlineData("ronglian", "160038", Unknown, false)]   // a form respCode nobody documents
    [InlineData("generic", "UNDELIV", Unknown, false)]
    [InlineData("generic", "REJECTD", CarrierRejected, false)]
    [InlineData("generic", "EXPIRED", Expired, true)]
    [InlineData("generic", "MK:0023", Unreachable, true)]
    [InlineData("generic", "MN:0001", Unknown, false)]
    [InlineData("generic", "MK:0115", Blocked, false)]
    [InlineData("generic", "IB:0008", RateLimited, true)]
    public void ronglian_and_generic_read_the_carrier_stat(string provider, string stat, FailureCategory category, bool retryable) =>
        ShouldClassify(FailureCategories.Classify(provider, DeliveryStatus.Failed, stat, stat), category, retryable);

    [Fact]
    public void a_vendor_code_family_is_never_mapped_as_a_whole() =>
        ShouldClassify(FailureCategories.Classify("generic", DeliveryStatus.Failed, "MK:0999", "MK:0999"), Unknown, false);

    // ---- The tables themselves ----

    public static TheoryData<string> Tables() => [.. AllTables().Select(t => t.Name)];

    private static IEnumerable<CodeTable> AllTables() => FailureCategories.Routes.Values.SelectMany(t => t).Distinct();

    private static CodeTable Table(string name) => AllTables().Single(t => t.Name == name);

    [Theory]
    [MemberData(nameof(Tables))]
    public void every_entry_maps_to_a_defined_category_and_has_a_code_and_a_meaning(string name)
    {
        foreach (var entry in Table(name).Entries)
        {
            Enum.IsDefined(entry.Category).ShouldBeTrue($"{name} {entry.Code}");
            entry.Code.ShouldNotBeNullOrWhiteSpace();
            entry.Code.ShouldBe(entry.Code.Trim(), $"{name} '{entry.Code}' has surrounding spaces");
            entry.Meaning.ShouldNotBeNullOrWhiteSpace($"{name} {entry.Code}");
        }
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void no_table_lists_a_code_twice(string name)
    {
        var duplicates = Table(name).Entries
            .GroupBy(e => e.Code.Trim(), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToList();

        duplicates.ShouldBeEmpty($"{name} lists these codes more than once");
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void every_entry_is_found_by_its_own_code(string name)
    {
        var table = Table(name);
        foreach (var entry in table.Entries)
        {
            table.Find(entry.Code).ShouldBe(entry);
        }
    }

    [Fact]
    public void a_code_in_two_tables_of_one_route_means_the_same_in_both()
    {
        foreach (var (route, tables) in FailureCategories.Routes)
        {
            var conflicts = tables.SelectMany(t => t.Entries.Select(e => (t.Name, e.Code, e.Category)))
                .GroupBy(e => e.Code, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Select(e => e.Category).Distinct().Count() > 1)
                .Select(g => string.Join(", ", g.Select(e => $"{e.Name}:{e.Code}={e.Category}")))
                .ToList();

            conflicts.ShouldBeEmpty($"route {route}");
        }
    }

    [Fact]
    public void every_provider_route_has_its_tables()
    {
        var routes = ProviderCatalog.Default().Names;

        routes.ShouldNotBeEmpty();
        routes.Where(name => !FailureCategories.Routes.ContainsKey(name)).ShouldBeEmpty();
    }

    [Fact]
    public void retryable_by_default_are_unreachable_rate_limited_and_expired_only()
    {
        Enum.GetValues<FailureCategory>().Where(FailureCategories.RetryableByDefault)
            .ShouldBe([Unreachable, RateLimited, Expired], ignoreOrder: true);
    }

    [Fact]
    public void the_categorization_has_a_version_a_replay_can_compare() =>
        FailureCategories.Version.ShouldBe("categories/2");

    // ---- The wire names ----

    [Theory]
    [InlineData(Delivered, "delivered")]
    [InlineData(InvalidNumber, "invalid_number")]
    [InlineData(Unreachable, "unreachable")]
    [InlineData(Blocked, "blocked")]
    [InlineData(RateLimited, "rate_limited")]
    [InlineData(CarrierRejected, "carrier_rejected")]
    [InlineData(Expired, "expired")]
    [InlineData(Unknown, "unknown")]
    public void categories_are_written_and_read_in_snake_case(FailureCategory category, string wire)
    {
        JsonSerializer.Serialize(category).ShouldBe($"\"{wire}\"");
        JsonSerializer.Deserialize<FailureCategory>($"\"{wire}\"").ShouldBe(category);
    }

    [Fact]
    public void every_category_has_a_test_of_its_wire_name() =>
        Enum.GetValues<FailureCategory>().Length.ShouldBe(8);

    [Fact]
    public void a_classification_is_written_with_its_category_by_name() =>
        JsonSerializer.Serialize(new Classification(RateLimited, true), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            .ShouldBe("""{"category":"rate_limited","retryable":true}""");
}
