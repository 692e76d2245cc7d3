using System.Collections.Concurrent;
using Alba;
using Ledger.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Ledger.Tests.Providers.Twilio.TwilioRequests;

namespace Ledger.Tests.Operations;

/// <summary>
/// A host of its own whose every log line (Debug and up, scopes and exceptions included) is captured:
/// secrets, tokens and phone numbers must not appear in any of it.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_logging_callbacks(LedgerFixture fixture) : IAsyncLifetime
{
    private readonly string _twilioSecret = "twilio-auth-" + Guid.NewGuid().ToString("N");
    private readonly string _aliyunToken = "aliyun-token-" + Guid.NewGuid().ToString("N");
    private readonly string _vonageToken = "vonage-token-" + Guid.NewGuid().ToString("N");
    private readonly CapturedLogs _logs = new();
    private IAlbaHost _host = null!;

    public async Task InitializeAsync()
    {
        var schema = "l" + Payloads.NewId()[..10];
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        _host = await AlbaHost.For<Program>(web =>
        {
            web.WithLoopbackCaller();
            web.UseSetting("ConnectionStrings:Ledger", fixture.ConnectionString);
            web.UseSetting("Ledger:Schema", schema);
            // Everything an operator could turn up, over appsettings.json's quieter defaults.
            foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Wolverine", "Marten" })
            {
                web.UseSetting($"Logging:LogLevel:{category}", "Debug");
            }

            web.UseSetting("Ledger:Providers:twilio:default:Secrets:0", _twilioSecret);
            web.UseSetting("Ledger:Providers:aliyun:default:Token", _aliyunToken);
            web.UseSetting("Ledger:Providers:vonage:default:Token", _vonageToken);
            web.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(_logs));
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task no_secret_token_or_phone_number_reaches_the_logs()
    {
        var parameters = StatusCallback(NewSid(), "delivered");
        (await _host.PostFormAsync("/callbacks/twilio", FormBody(parameters), [new("X-Twilio-Signature", Sign(_twilioSecret, LocalUrl, parameters))])).Status.ShouldBe(200);
        (await _host.PostFormAsync("/callbacks/twilio", FormBody(parameters), [new("X-Twilio-Signature", "forged")])).Status.ShouldBe(401);

        var biz = Payloads.NewId();
        (await _host.PostAsync($"/callbacks/aliyun?token={_aliyunToken}", Payloads.Array(Payloads.AliyunItem(biz, "13812345678", true)))).Status.ShouldBe(200);
        (await _host.PostAsync("/callbacks/aliyun?token=wrong", Payloads.Array(Payloads.AliyunItem(biz, "13812345678", true)))).Status.ShouldBe(401);

        var vonage = $"/callbacks/vonage?messageId=0B{Payloads.NewId()}&msisdn=447547232824&status=delivered&err-code=0&token={_vonageToken}";
        ((int)(await _host.Server.CreateClient().GetAsync(vonage)).StatusCode).ShouldBe(200);

        var text = _logs.AllText();
        text.ShouldContain("refused"); // the capture works: the refusals were logged
        foreach (var secret in new[] { _twilioSecret, _aliyunToken, _vonageToken, "+14155550100", "14155550100", "13812345678", "447547232824" })
        {
            text.ShouldNotContain(secret, customMessage: string.Join("\n", text.Split('\n').Where(l => l.Contains(secret)).Take(3)));
        }
    }

    [Fact]
    public async Task a_refusal_is_logged_with_the_request_id_of_its_raw_record()
    {
        var (status, problem, _) = await _host.PostAsync("/callbacks/aliyun?token=wrong", Payloads.Array(Payloads.AliyunItem(Payloads.NewId(), "13812345678", true)));
        status.ShouldBe(401);
        var requestId = System.Text.Json.JsonDocument.Parse(problem).RootElement.GetProperty("requestId").GetString()!;

        _logs.Entries.ShouldContain(e => e.Category.EndsWith("CallbackReception") && e.Message.Contains(requestId));
        _logs.Entries.Where(e => e.Category.EndsWith("CallbackReception") && e.Message.Contains(requestId))
            .ShouldAllBe(e => e.Scopes.Contains($"RequestId={requestId}"));
    }

    private sealed record Entry(string Category, LogLevel Level, string Message, string Scopes);

    /// <summary>An in-memory logger provider that keeps the formatted message, the exception and every scope value.</summary>
    private sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public string AllText() => string.Join("\n", Entries.Select(e => $"{e.Category} {e.Level} {e.Message} {e.Scopes}"));

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new System.Text.StringBuilder();
                owner._scopes.ForEachScope((scope, sb) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            sb.Append(key).Append('=').Append(value).Append(' ');
                        }
                    }
                    else
                    {
                        sb.Append(scope).Append(' ');
                    }
                }, scopes);
                var values = state is IEnumerable<KeyValuePair<string, object?>> fields ? string.Join(" ", fields.Select(f => $"{f.Key}={f.Value}")) : "";
                owner.Entries.Enqueue(new Entry(category, logLevel, $"{formatter(state, exception)} {values} {exception}", scopes.ToString()));
            }
        }
    }
}
