using MailHost.Imap;

namespace MailHost.Tests.Imap;

public sealed class ImapUnicodeCasemapTests
{
    [Theory]
    [InlineData("lunch", "LUNCH")]
    [InlineData("café", "CAFE\u0301")]
    [InlineData("CAFE\u0301", "CAFE\u0301")]
    [InlineData("\uFF41\uFF42", "AB")]
    [InlineData("ǆ ǅ Ǆ", "Dz\u030C Dz\u030C Dz\u030C")]
    [InlineData("ß", "ß")]
    [InlineData("\u10D0", "\u10D0")]
    [InlineData("", "")]
    public void Keys_are_the_titlecase_then_NFKD_of_RFC_5051(string text, string expected)
        => ImapUnicodeCasemap.Key(text).Should().Be(expected);

    [Theory]
    [InlineData("éclair", "fig")]
    [InlineData("Eagle", "été")]
    [InlineData("zebra", "[blob]")]
    [InlineData("[blob]", "_under")]
    [InlineData("abc", "abcd")]
    [InlineData("\uE000", "\U0001F600")]
    public void Orders_by_code_point_of_the_keys(string first, string second)
    {
        ImapUnicodeCasemap.Compare(ImapUnicodeCasemap.Key(first), ImapUnicodeCasemap.Key(second)).Should().BeNegative();
        ImapUnicodeCasemap.Compare(ImapUnicodeCasemap.Key(second), ImapUnicodeCasemap.Key(first)).Should().BePositive();
    }

    [Fact]
    public void Case_and_composition_do_not_count()
        => ImapUnicodeCasemap.Compare(ImapUnicodeCasemap.Key("Été"), ImapUnicodeCasemap.Key("E\u0301TE\u0301")).Should().Be(0);
}
