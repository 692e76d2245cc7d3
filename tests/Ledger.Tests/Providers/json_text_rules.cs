using System.Text.Json;
using Ledger.Providers;

namespace Ledger.Tests.Providers;

/// <summary>A JSON string with a lone surrogate escape is read with U+FFFD in its place, everything else as System.Text.Json reads it.</summary>
public sealed class json_text_rules
{
    [Theory]
    [InlineData(@"""a\ud800b""", "a\uFFFDb")]
    [InlineData(@"""\udc00x""", "\uFFFDx")]
    [InlineData(@"""\ud83d\ude00\ud800""", "\U0001F600\uFFFD")]
    [InlineData(@"""\\ud800\ud800""", "\\ud800\uFFFD")]
    [InlineData(@"""\u0041\n\""\ud800""", "A\n\"\uFFFD")]
    [InlineData(@"""plain""", "plain")]
    public void a_lone_surrogate_escape_becomes_the_replacement_character(string literal, string expected)
    {
        using var document = JsonDocument.Parse(literal);

        JsonText.String(document.RootElement).ShouldBe(expected);
    }
}
