using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Web.Docs;

/// <summary>
/// An example request body and answer for the operations people call by hand (the endpoints read their
/// bodies themselves and return IResult, so the generator sees neither). The examples are the ones
/// docs/api.md shows; a test posts each request example to the service and checks it is accepted.
/// </summary>
public sealed class OperationExamples : IOpenApiOperationTransformer
{
    public sealed record Example(string? Request, string Status, string? Answer, string ContentType = "application/json");

    public static readonly IReadOnlyDictionary<string, Example> All = new Dictionary<string, Example>
    {
        ["POST /callbacks/{provider}"] = new(
            """[{"phone_number":"13812345678","send_time":"2026-11-25 10:32:00","report_time":"2026-11-25 10:32:05","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"900619746936498440","out_id":"order-1"}]""",
            "200", """{"code":0,"msg":"接收成功"}"""),
        ["GET /messages/{provider}/{messageKey}"] = new(null, "200",
            """{"provider":"aliyun","messageKey":"900619746936498440:138****5678","account":"default","status":"delivered","final":true,"providerStatus":"DELIVERED","errorCode":null,"description":"用户接收成功","phone":"138****5678","reportedAt":"2026-11-25T02:32:05+00:00","firstReceivedAt":"2026-11-25T02:32:06.104+00:00","lastReceivedAt":"2026-11-25T02:32:06.104+00:00","callbackCount":1,"duplicateCount":0,"conflictCount":0,"billedParts":1,"outId":"order-1","version":1,"parserVersion":"aliyun/3","category":"delivered","retryable":false}"""),
        ["POST /messages/sent"] = new(
            """[{"provider":"aliyun","account":"default","messageKey":"900619746936498440:13812345678","phone":"13812345678","sentAt":"2026-11-25T10:32:00+08:00","billedParts":1,"outId":"order-1"}]""",
            "200", """{"requestId":"019abc12-3456-7def-8901-23456789abcd","rows":1,"registered":1,"alreadyKnown":0}"""),
        ["POST /replays"] = new(
            """{"provider":"aliyun","from":"2026-11-25T00:00:00Z","to":"2026-11-26T00:00:00Z","includeQuarantine":true,"dryRun":true}""",
            "202", """{"id":"019abc12-3456-7def-8901-23456789abcd","state":"queued"}"""),
        ["POST /pulls"] = new(
            """{"provider":"aliyun","account":"default","from":"2026-11-25T00:00:00Z","to":"2026-11-26T00:00:00Z"}""",
            "202", """{"id":"019abc12-3456-7def-8901-23456789abcd","state":"queued"}"""),
        ["GET /reconciliation/daily"] = new(null, "200",
            """{"from":"2026-11-25","to":"2026-11-25","rows":[{"day":"2026-11-25","provider":"aliyun","account":"default","messages":1,"delivered":1,"failed":0,"pending":0,"unknown":0,"missingReports":0,"billedParts":1}]}"""),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + context.Description.RelativePath?.TrimStart('/');
        if (!All.TryGetValue($"{context.Description.HttpMethod ?? "GET"} {path}", out var example))
        {
            return Task.CompletedTask;
        }

        if (example.Request is { } request)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [example.ContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Array }, Example = JsonNode.Parse(request) },
                },
            };
        }

        if (example.Answer is { } answer)
        {
            operation.Responses ??= [];
            var response = operation.Responses.TryGetValue(example.Status, out var existing) && existing is OpenApiResponse found
                ? found
                : (OpenApiResponse)(operation.Responses[example.Status] = new OpenApiResponse { Description = example.Status is "202" ? "Accepted" : "OK" });
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            if (!response.Content.TryGetValue("application/json", out var media))
            {
                response.Content["application/json"] = media = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } };
            }

            media.Example = JsonNode.Parse(answer);
        }

        return Task.CompletedTask;
    }
}
