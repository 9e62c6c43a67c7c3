using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class DkimTagListTests
{
    [Fact]
    public void Tags_parse_with_folding_white_space_and_a_trailing_separator()
    {
        DkimTagList.TryParse(" v=1;\r\n\ta = rsa-sha256 ; b=abc\r\n def;\t", out var tags, out var error).Should().BeTrue(error);
        tags.Select(t => t.Key).Should().Equal("v", "a", "b");
        DkimTagList.Find(tags, "a").Should().Be("rsa-sha256");
        DkimTagList.RemoveWhiteSpace(DkimTagList.Find(tags, "b")!).Should().Be("abcdef");
        DkimTagList.Find(tags, "B").Should().BeNull("tag names are case-sensitive");
    }

    [Theory]
    [InlineData("a=1; a=2", "duplicate")]
    [InlineData("a=1;; b=2", "empty")]
    [InlineData("1a=2", "invalid tag name")]
    [InlineData("a", "without '='")]
    [InlineData(";", "empty")]
    [InlineData("a=\u00e9", "invalid value")]
    public void Invalid_lists_are_refused(string text, string reason)
    {
        DkimTagList.TryParse(text, out _, out var error).Should().BeFalse();
        error.Should().Contain(reason);
    }
}
