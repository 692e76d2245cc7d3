namespace Ledger.Web;

/// <summary>RFC 9457 problem details shared by several endpoints.</summary>
public static class Problems
{
    public static IResult StorageUnavailable() => Results.Problem(
        detail: "The event store is unavailable, so nothing was stored. Retry later; providers retry on their own.",
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "storage_unavailable",
        type: "urn:callback-ledger:storage-unavailable");

    public static IResult NotFound(string detail) => Results.Problem(
        detail: detail,
        statusCode: StatusCodes.Status404NotFound,
        title: "not_found",
        type: "urn:callback-ledger:not-found");

    public static IResult BadQuery(string detail) => Results.Problem(
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        title: "bad_query",
        type: "urn:callback-ledger:bad-query");
}
