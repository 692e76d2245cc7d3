using System.Text.Json;
using Alba;
using Ledger.Tests.Support;

namespace Ledger.Tests.Reconciliation;

/// <summary>Finance calls through HTTP: sent registration and the reconciliation reads.</summary>
public static class Finance
{
    public static string Sent(string provider, string messageKey, string sentAt, string account = "default", int? parts = 1,
        string phone = "13800138000", string outId = "order-1") =>
        JsonSerializer.Serialize(new { provider, account, messageKey, phone, sentAt, billedParts = parts, outId });

    public static async Task<JsonElement> RegisterAsync(this IAlbaHost host, params string[] rows)
    {
        var (status, body, _) = await host.PostAsync("/messages/sent", Payloads.Array(rows), apiKey: LedgerApi.AdminKey);
        status.ShouldBe(200, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement[]> DailyAsync(this IAlbaHost host, string from, string to, string query = "")
    {
        var (status, json) = await host.GetJsonAsync($"/reconciliation/daily?from={from}&to={to}{query}", LedgerApi.FinanceKey);
        status.ShouldBe(200);
        return json.GetProperty("rows").EnumerateArray().ToArray();
    }

    public static JsonElement? Day(this JsonElement[] rows, string day, string provider, string account = "default") =>
        rows.Where(r => r.GetProperty("day").GetString() == day && r.GetProperty("provider").GetString() == provider
                        && r.GetProperty("account").GetString() == account).Cast<JsonElement?>().SingleOrDefault();

    public static int Count(this JsonElement? row, string name) => row is { } r ? r.GetProperty(name).GetInt32() : 0;

    public static async Task<JsonElement[]> MessagesAsync(this IAlbaHost host, string from, string to, string query = "")
    {
        var (status, json) = await host.GetJsonAsync($"/reconciliation/messages?from={from}&to={to}&pageSize=1000{query}", LedgerApi.FinanceKey);
        status.ShouldBe(200);
        return json.GetProperty("rows").EnumerateArray().ToArray();
    }
}
