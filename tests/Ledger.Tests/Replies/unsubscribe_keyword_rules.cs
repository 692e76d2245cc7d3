using Ledger.Replies;

namespace Ledger.Tests.Replies;

/// <summary>Which replies ask to unsubscribe: the whole trimmed content, any case, full-width letters read as ASCII.</summary>
public sealed class unsubscribe_keyword_rules
{
    private static readonly UnsubscribeKeywords Defaults = new();

    [Theory]
    [InlineData("TD")]
    [InlineData("td")]
    [InlineData(" Td \n")]
    [InlineData("ＴＤ")]
    [InlineData("退订")]
    [InlineData(" 退订 ")]
    [InlineData("T")]
    [InlineData("t")]
    [InlineData("STOP")]
    [InlineData("Stop")]
    [InlineData("ｓｔｏｐ")]
    [InlineData("unsubscribe")]
    [InlineData("\u3000UNSUBSCRIBE\u3000")]
    public void a_reply_that_is_only_a_keyword_asks_to_unsubscribe(string content) => Defaults.Matches(content).ShouldBeTrue();

    [Theory]
    [InlineData("TD了吗")]
    [InlineData("请不要退订")]
    [InlineData("Don't stop")]
    [InlineData("STOPPED")]
    [InlineData("")]
    [InlineData("好的")]
    public void a_reply_that_only_mentions_a_keyword_does_not(string content) => Defaults.Matches(content).ShouldBeFalse();

    [Fact]
    public void configured_keywords_replace_the_defaults()
    {
        var configured = UnsubscribeKeywords.From(new ReplyOptions { UnsubscribeKeywords = ["N", "取消"] });
        configured.Matches("n").ShouldBeTrue();
        configured.Matches("取消").ShouldBeTrue();
        configured.Matches("TD").ShouldBeFalse();
    }
}
