using Microsoft.OpenApi;

namespace Ledger.Web.Docs;

/// <summary>
/// What each operation does and the query parameters it reads itself (the endpoints take them from the
/// request, so the generator cannot see them): docs/api.md, one line each.
/// </summary>
public static class OperationNotes
{
    public sealed record Note(string Summary, params string[] Query);

    private static readonly Dictionary<string, Note> Notes = new()
    {
        ["POST /callbacks/{provider}"] = new("Receive a provider's report (the `default` account)"),
        ["GET /callbacks/{provider}"] = new("Receive a provider's report pushed with GET (and Alibaba's connectivity probe)"),
        ["POST /callbacks/{provider}/{account}"] = new("Receive a provider's report for one of our accounts"),
        ["GET /callbacks/{provider}/{account}"] = new("Receive a report pushed with GET for one of our accounts"),
        ["GET /messages/{provider}/{messageKey}"] = new("A message's current status, or as it stood after event `version` or at instant `asOf` (the ledger's receive time)", "version", "asOf"),
        ["GET /messages/{provider}/{messageKey}/history"] = new("Every event of a message's stream, in order"),
        ["GET /messages"] = new("Find messages by phone number or by our own reference, newest first", "phone", "outId", "from", "to", "page", "pageSize"),
        ["POST /messages/sent"] = new("Register sent messages (JSON array, or CSV with a header row), so missing reports show"),
        ["GET /requests/{requestId}"] = new("A raw request exactly as received, and what each of its items changed"),
        ["GET /quarantine"] = new("Refused requests with their reasons, newest first", "provider", "reason", "from", "to", "page", "pageSize"),
        ["POST /replays"] = new("Re-read stored raw requests with today's parsers (202 and a replay id)"),
        ["GET /replays/{id}"] = new("A replay's progress and a sample of its differences"),
        ["POST /replays/{id}/resume"] = new("Queue a stalled replay's run again, from its committed cursor"),
        ["GET /replays/{id}/differences"] = new("Every difference a replay found, one row per item", "format"),
        ["GET /reconciliation/daily"] = new("Totals per business day, provider and account", "from", "to", "provider", "account", "asOf", "format"),
        ["GET /reconciliation/messages"] = new("Per-message rows for the same filters", "from", "to", "provider", "account", "status", "page", "pageSize", "format"),
        ["POST /pulls"] = new("Ask a provider's status query API for an account's reports of a time range or of given messages (202 and a pull id)"),
        ["GET /pulls/{id}"] = new("A pull job's progress: asked, found, appended, duplicates, errors"),
        ["POST /messages/{provider}/{messageKey}/pull"] = new("Ask the provider for one message's report now; answers its status after"),
        ["GET /resend-candidates"] = new("Messages worth sending again: retryable failures and reports still missing after pulling", "from", "to", "provider", "account", "format"),
        ["POST /callbacks/{provider}/replies"] = new("Receive a provider's replies from phones (the `default` account)"),
        ["GET /callbacks/{provider}/replies"] = new("Receive replies from phones pushed with GET"),
        ["POST /callbacks/{provider}/replies/{account}"] = new("Receive replies from phones for one of our accounts"),
        ["GET /callbacks/{provider}/replies/{account}"] = new("Receive replies from phones pushed with GET for one of our accounts"),
        ["GET /replies"] = new("Replies from phones, newest first", "phone", "from", "to", "provider", "inReplyTo"),
        ["GET /replies/{provider}/{id}"] = new("One reply from a phone"),
        ["GET /webhooks/{subscriber}/attempts"] = new("A webhook subscriber's recent delivery attempts"),
        ["GET /webhooks/{subscriber}/parked"] = new("Deliveries parked after the subscriber kept failing"),
        ["POST /webhooks/{subscriber}/parked/resend"] = new("Send a subscriber's parked deliveries again"),
        ["GET /me"] = new("The caller's key name and roles, the business time zone and today's business day (the web UI reads it to offer only the views the key may open)"),
        ["GET /health"] = new("200 when the database answers, else 503"),
        ["GET /health/live"] = new("The process serves requests (no I/O)"),
        ["GET /health/ready"] = new("The database answers and the outbox is not backed up"),
    };

    public static Note? For(string method, string path) => Notes.GetValueOrDefault($"{method} {path}");

    public static OpenApiParameter QueryParameter(string name) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = false,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Description = name switch
        {
            "asOf" => "ISO 8601 instant (without an offset, UTC).",
            "from" or "to" => "Bounds of the range (`to` exclusive where it is an instant; business days `yyyy-MM-dd` in reconciliation).",
            "format" => "`json` (default) or `csv` (UTF-8 with a BOM).",
            "page" => "From 1.",
            "pageSize" => "Rows per page.",
            _ => null,
        },
    };
}
