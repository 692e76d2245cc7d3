using System.Text.Json;
using Ledger.Tests.Support;
using Marten;
using Npgsql;

namespace Ledger.Tests.Security;

/// <summary>
/// Classic injection strings in every query parameter and route value of the read API: never a 500, the
/// answer is empty, 404 or a 400 that names the parameter, and every table is still there afterwards.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class when_query_parameters_carry_sql(LedgerFixture fixture)
{
    private string Schema => fixture.Store.Options.DatabaseSchemaName;

    private IEnumerable<string> Attacks() =>
    [
        "'; drop table x; --",
        "%' or '1'='1",
        "' or 1=1 --",
        "\" or \"\"=\"",
        "1; select pg_sleep(5); --",
        $"'); drop table {Schema}.mt_doc_message; --",
        $"$$; drop schema {Schema} cascade; --",
        "\\'; delete from mt_events; --",
        "%",
        "_",
    ];

    /// <summary>Each read endpoint with its query parameters; valid values for the others, so the attack is what gets looked at.</summary>
    private static readonly (string Path, string Key, string[] Parameters, string Valid)[] Reads =
    [
        ("/messages", LedgerApi.SupportKey, ["phone", "outId", "from", "to", "page", "pageSize"], ""),
        ("/messages/tencent/{0}", LedgerApi.SupportKey, ["asOf", "version"], ""),
        ("/messages/tencent/{0}/history", LedgerApi.SupportKey, [], ""),
        ("/messages/{0}/x", LedgerApi.SupportKey, [], ""),
        ("/reconciliation/daily", LedgerApi.FinanceKey, ["provider", "account", "format", "from", "to"], "from=2026-11-01&to=2026-11-02"),
        ("/reconciliation/messages", LedgerApi.FinanceKey, ["provider", "account", "status", "format", "page", "pageSize", "from", "to"], "from=2026-11-01&to=2026-11-02"),
        ("/quarantine", LedgerApi.AdminKey, ["provider", "reason", "from", "to", "page", "pageSize"], ""),
        ("/requests/{0}", LedgerApi.AdminKey, [], ""),
        ("/replays/{0}", LedgerApi.AdminKey, [], ""),
        ("/replays/{0}/differences", LedgerApi.AdminKey, ["format"], ""),
    ];

    [Fact]
    public async Task injection_strings_never_cause_a_500_never_match_and_drop_nothing()
    {
        // Marten creates its tables on first use: make sure they exist whichever test of the run comes first.
        await fixture.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var tablesBefore = await TablesAsync();
        tablesBefore.ShouldContain("mt_events");
        var answered = new List<string>();
        foreach (var attack in Attacks())
        {
            var encoded = Uri.EscapeDataString(attack);
            foreach (var (path, key, parameters, valid) in Reads)
            {
                var routeValue = path.Contains("{0}", StringComparison.Ordinal);
                var baseUrl = string.Format(path, encoded);
                var urls = new List<(string Url, string? Parameter)>();
                if (routeValue)
                {
                    urls.Add((baseUrl + (valid.Length > 0 ? "?" + valid : ""), null));
                }

                foreach (var parameter in parameters)
                {
                    var others = string.Join("&", valid.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal)));
                    urls.Add(($"{(routeValue ? string.Format(path, "x" + Payloads.NewId()) : path)}?{others}{(others.Length > 0 ? "&" : "")}{parameter}={encoded}", parameter));
                }

                foreach (var (url, parameter) in urls)
                {
                    var (status, body, contentType) = await fixture.Host.GetRawAsync(url, key);
                    status.ShouldBeOneOf([200, 400, 404], $"{url}: {body}");
                    var digits = new string(attack.Where(char.IsAsciiDigit).ToArray());
                    if (status == 200 && parameter == "phone" && digits.Length > 0)
                    {
                        // The phone search matches the digits exactly ("' or '1'='1" looks for phone 11, which
                        // another test's random data may hold): exactly those messages, nothing wider.
                        var total = JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt32();
                        total.ShouldBe(await MessagesWithPhoneDigitsAsync(digits), url);
                    }
                    else if (status == 200 && contentType?.Contains("json") == true)
                    {
                        Empty(JsonDocument.Parse(body).RootElement).ShouldBeTrue($"{url} matched something: {body}");
                    }

                    answered.Add($"{status} {url}");
                }
            }
        }

        answered.Count.ShouldBeGreaterThan(100);
        // Other tests may create document tables meanwhile (Marten creates them on first use); none may be gone.
        tablesBefore.Except(await TablesAsync()).ShouldBeEmpty();
    }

    private async Task<int> MessagesWithPhoneDigitsAsync(string digits)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {Schema}.mt_doc_message where data ->> 'PhoneDigits' = @d", connection);
        command.Parameters.AddWithValue("d", digits);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    private static readonly string[] Counts = ["total", "delivered", "failed", "pending", "unknown", "callbacks", "duplicates", "rejected", "billedParts"];

    /// <summary>No rows: an empty list, a page with no items, or totals that are all zero.</summary>
    private static bool Empty(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Array => json.EnumerateArray().All(Empty),
        JsonValueKind.Object when json.TryGetProperty("items", out var items) => items.GetArrayLength() == 0,
        JsonValueKind.Object => json.EnumerateObject().All(p =>
            p.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Object ? Empty(p.Value)
            : !Counts.Contains(p.Name) || p.Value.ValueKind != JsonValueKind.Number || p.Value.GetDecimal() == 0),
        _ => true,
    };

    private async Task<List<string>> TablesAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = @s order by 1", connection);
        command.Parameters.AddWithValue("s", Schema);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }
}
