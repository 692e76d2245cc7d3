using System.Text.Json;

namespace Ledger.Providers.Generic;

/// <summary>
/// A field setting such as `IdField`: a plain name (`msgid`), or a dot-separated path into a JSON report
/// (`data.status`, `report.mobile`) for gateways that nest their fields. A name is always looked up as
/// written first, so a top-level property or form field whose name contains a dot is still found, and
/// plain names read exactly as before paths existed; only when no such field exists is the path followed
/// through nested objects, one property per segment. Segments are property names as sent (case
/// matters); a path does not go into arrays, and what it reaches must be a string, number or boolean.
/// Form bodies are flat, so only the literal name applies to them.
/// </summary>
public sealed class FieldPath
{
    private FieldPath(string text, string[] segments) => (Text, Segments) = (text, segments);

    /// <summary>The setting as configured; also the key its value is read under.</summary>
    public string Text { get; }

    public IReadOnlyList<string> Segments { get; }

    public bool IsNested => Segments.Count > 1;

    /// <summary>Refuses an empty segment (`data..status`, `.status`, `status.`): it is always a typo.</summary>
    public static bool TryParse(string text, out FieldPath? path)
    {
        var segments = text.Trim().Split('.');
        path = segments.All(s => s.Length > 0) ? new FieldPath(text.Trim(), segments) : null;
        return path is not null;
    }

    /// <summary>The value the path reaches in a JSON object, as text; null when it is missing or not a scalar.</summary>
    public string? Follow(JsonElement obj)
    {
        var current = obj;
        foreach (var segment in Segments)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return JsonBatch.Scalar(current);
    }

    public override string ToString() => Text;
}
