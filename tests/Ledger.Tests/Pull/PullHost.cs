using System.Globalization;
using System.Text.Json;
using Alba;
using Ledger.Tests.Pull.Fakes;
using Ledger.Tests.Support;

namespace Ledger.Tests.Pull;

/// <summary>
/// A host of the real Program on a schema of its own whose Alibaba and Tencent accounts pull from local
/// fakes of the providers' APIs (`…__Pull__Endpoint`), never the network: `default` and `resend` with
/// the right credentials, `wrong` with a secret the fake refuses. Back-off is short (1 s, at most 2 s),
/// the sweep runs only when a test calls it, a missing report is missing after an hour, and one pull
/// that finds nothing final gives up.
/// </summary>
public sealed class PullHost : IAsyncDisposable
{
    public FakeAliyunApi Aliyun { get; private init; } = null!;
    public FakeTencentApi Tencent { get; private init; } = null!;
    public IAlbaHost Host { get; private set; } = null!;
    public string Schema { get; } = "p" + Guid.NewGuid().ToString("N")[..12];
    private string _connectionString = "";

    public static async Task<PullHost> StartAsync(LedgerFixture fixture)
    {
        var host = new PullHost { Aliyun = await FakeAliyunApi.StartAsync(), Tencent = await FakeTencentApi.StartAsync() };
        host._connectionString = fixture.ConnectionString;
        host.Host = await host.StartAnotherAsync();
        return host;
    }

    /// <summary>Another instance of the service on the same database and schema (a restart, or a second node).</summary>
    public Task<IAlbaHost> StartAnotherAsync() => LedgerFixture.StartHostAsync(_connectionString, Schema, Settings());

    /// <summary>Stops this instance, runs <paramref name="meanwhile"/>, and starts the next one on the same schema.</summary>
    public async Task RestartAsync(Action meanwhile)
    {
        await Host.DisposeAsync();
        meanwhile();
        Host = await StartAnotherAsync();
    }

    public IDictionary<string, string?> Settings()
    {
        var settings = TestAccounts.Load();
        foreach (var (account, secret) in new[] { ("default", FakeAliyunApi.AccessKeySecret), ("resend", FakeAliyunApi.AccessKeySecret), ("wrong", "not-the-secret") })
        {
            var prefix = $"Ledger:Providers:aliyun:{account}";
            settings[$"{prefix}:Options:Variant"] = "domestic";
            settings[$"{prefix}:AllowUnauthenticated"] = "true";
            settings[$"{prefix}:Pull:AccessKeyId"] = FakeAliyunApi.AccessKeyId;
            settings[$"{prefix}:Pull:AccessKeySecret"] = secret;
            settings[$"{prefix}:Pull:Endpoint"] = Aliyun.BaseUrl;
        }

        settings["Ledger:Providers:tencent:default:AllowUnauthenticated"] = "true";
        settings["Ledger:Providers:tencent:default:Pull:SecretId"] = FakeTencentApi.SecretId;
        settings["Ledger:Providers:tencent:default:Pull:SecretKey"] = FakeTencentApi.SecretKey;
        settings["Ledger:Providers:tencent:default:Pull:SdkAppId"] = FakeTencentApi.SdkAppId;
        settings["Ledger:Providers:tencent:default:Pull:Endpoint"] = Tencent.BaseUrl;
        settings["Ledger:Pull:DelayMilliseconds"] = "0";
        settings["Ledger:Pull:BackoffSeconds"] = "1";
        settings["Ledger:Pull:MaxBackoffSeconds"] = "2";
        settings["Ledger:Pull:SweepMinutes"] = "0";
        settings["Ledger:Pull:GiveUpAfter"] = "1";
        settings["Ledger:Reconciliation:MissingReportAfterHours"] = "1";
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Aliyun.DisposeAsync();
        await Tencent.DisposeAsync();
    }

    /// <summary>A provider time as Alibaba and Tencent push it: Beijing wall-clock time, seconds.</summary>
    public static string Beijing(DateTimeOffset instant) => instant.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string BeijingDay(DateTimeOffset instant) => instant.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Now, to the second (provider times carry no fractions).</summary>
    public static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    /// <summary>A QuerySendDetails answer with one record (SendStatus 3 delivered, 2 failed), or none.</summary>
    public static string AliyunAnswer(string phone, int sendStatus, string errCode, string receiveDate) => $$$"""
        {"Code":"OK","Message":"OK","RequestId":"{{{Guid.NewGuid()}}}","TotalCount":1,"SmsSendDetailDTOs":{"SmsSendDetailDTO":[{"ErrCode":"{{{errCode}}}","TemplateCode":"SMS_1","OutId":"","ReceiveDate":"{{{receiveDate}}}","SendDate":"{{{receiveDate}}}","PhoneNum":"{{{phone}}}","Content":"code 1234","SendStatus":{{{sendStatus}}}}]}}
        """;

    public const string AliyunNothing = """{"Code":"OK","Message":"OK","RequestId":"5E2C0B8A-0000-4000-8000-000000000000","TotalCount":0,"SmsSendDetailDTOs":{"SmsSendDetailDTO":[]}}""";

    public static string BizId(FakeRequest request) => request.QueryParameters().FirstOrDefault(p => p.Key == "BizId").Value ?? "";

    /// <summary>Starts a pull as admin and returns its id.</summary>
    public async Task<string> StartPullAsync(object body)
    {
        var (status, text, _) = await Host.PostAsync("/pulls", JsonSerializer.Serialize(body), apiKey: LedgerApi.AdminKey);
        status.ShouldBe(202, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Polls `GET /pulls/{id}` until <paramref name="done"/> holds (what the page shows, not a sleep).</summary>
    public static async Task<JsonElement> WaitForPullAsync(IAlbaHost host, string id, Func<JsonElement, bool> done, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement job;
        do
        {
            var (status, json) = await host.GetJsonAsync($"/pulls/{id}", LedgerApi.AdminKey);
            status.ShouldBe(200);
            job = json;
            if (done(job))
            {
                return job;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < until);

        throw new TimeoutException($"pull {id} did not get there: {job}");
    }

    public static bool Finished(JsonElement job) => job.GetProperty("state").GetString() is "completed" or "failed";
}
