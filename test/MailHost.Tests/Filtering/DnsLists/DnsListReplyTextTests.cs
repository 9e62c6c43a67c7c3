using MailHost.Filtering.DnsLists;

namespace MailHost.Tests.Filtering.DnsLists;

public class DnsListReplyTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("  two\r\nlines\t ", "two lines")]
    [InlineData("caf\u00e9 \u0000 x", "caf x")]
    [InlineData("\r\n\t", null)]
    [InlineData(null, null)]
    public void Clean_keeps_printable_ASCII_on_one_line(string? text, string? expected)
        => DnsListReplyText.Clean(text, 100).Should().Be(expected);

    [Fact]
    public void Clean_cuts_at_the_limit() => DnsListReplyText.Clean("abc def", 5).Should().Be("abc d");

    [Theory]
    [InlineData("{address} is listed by {zone}{: reason}", null)]
    [InlineData("{code} {label} {reason}", null)]
    [InlineData("listed {why}", "{why}")]
    [InlineData("listed {zone", "{zone")]
    public void Unknown_placeholders_are_found(string template, string? unknown)
        => DnsListReplyText.FindUnknownPlaceholder(template).Should().Be(unknown);

    [Fact]
    public void An_empty_reason_leaves_out_the_colon()
        => DnsListReplyText.Format(DnsListOptions.DefaultReplyText, "192.0.2.1", "bl.example", "127.0.0.2", "", "")
            .Should().Be("Client address 192.0.2.1 is listed by bl.example");
}
