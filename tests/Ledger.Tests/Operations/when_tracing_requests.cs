using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Tests.Support;

namespace Ledger.Tests.Operations;

/// <summary>
/// ASP.NET Core's per-request logging is off (LedgerTelemetry), so nothing starts an Activity for a
/// request just in case something logs. A tracer (the OTLP exporter when configured) still gets one for
/// every request, with its route.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_tracing_requests(LedgerFixture fixture)
{
    [Fact]
    public async Task a_tracer_still_sees_every_request_with_its_route()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        // Our own trace id (W3C traceparent), to find this request's activity among others.
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/messages/aliyun/{Payloads.NewId()}:1/history");
        request.Headers.Add("X-Api-Key", LedgerApi.SupportKey);
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await fixture.Host.Server.CreateClient().SendAsync(request);
        ((int)response.StatusCode).ShouldBe(404);

        // The activity stops as the request ends on the server, which may be just after the client has the answer.
        var deadline = Stopwatch.StartNew();
        Activity? server;
        while ((server = stopped.FirstOrDefault(a => a.TraceId == trace)) is null && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        server.ShouldNotBeNull();
        server.Kind.ShouldBe(ActivityKind.Server);
        server.GetTagItem("http.route").ShouldBe("/messages/{provider}/{messageKey}/history");
    }
}
