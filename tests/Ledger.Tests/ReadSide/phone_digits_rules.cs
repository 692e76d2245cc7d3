namespace Ledger.Tests.ReadSide;

/// <summary>The digits a phone is matched by: every ASCII digit in order, nothing else; a phone of digits only is its own digits.</summary>
public sealed class phone_digits_rules
{
    [Theory]
    [InlineData("13812345678")]
    [InlineData("+86 138-1234-5678")]
    [InlineData("(0086) 138 1234 5678")]
    [InlineData("١٣٨١٢٣٤")] // Arabic-Indic digits are not ASCII digits
    [InlineData("no digits")]
    [InlineData("")]
    [InlineData(null)]
    public void the_digits_are_the_ascii_digits_in_order(string? phone)
    {
        var expected = string.Concat((phone ?? "").Where(char.IsAsciiDigit));
        Ledger.Projections.PhoneNumbers.Digits(phone).ShouldBe(expected.Length == 0 ? null : expected);
    }

    [Fact]
    public void a_phone_of_digits_only_is_returned_as_it_is()
    {
        var phone = "8613812345678";
        Ledger.Projections.PhoneNumbers.Digits(phone).ShouldBeSameAs(phone);
    }
}
