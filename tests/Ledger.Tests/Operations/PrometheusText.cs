using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Tests.Operations;

/// <summary>Reads samples out of the Prometheus text exposition format, by name and labels.</summary>
public static partial class PrometheusText
{
    /// <summary>The single sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>; null when none.</summary>
    public static double? Sample(string text, string name, params (string Name, string Value)[] labels)
    {
        var matches = new List<double>();
        foreach (var line in text.Split('\n'))
        {
            var m = SampleLine().Match(line.TrimEnd('\r'));
            if (!m.Success || m.Groups["name"].Value != name)
            {
                continue;
            }

            var present = m.Groups["labels"].Value;
            if (labels.All(l => present.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                matches.Add(double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
            }
        }

        matches.Count.ShouldBeLessThanOrEqualTo(1, $"more than one {name} sample has labels {string.Join(",", labels)}");
        return matches.Count == 0 ? null : matches[0];
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex SampleLine();
}
