using MailHost.Protocols.Tls;

namespace MailHost.Protocols.Tests.Tls;

public class TlsAlpnPolicyTests
{
    [Theory]
    [InlineData(new[] { "http/1.1" }, true)]
    [InlineData(new[] { "h2", "http/1.1" }, true)] // what a browser sends (SECURITY.md A6)
    [InlineData(new[] { "http/0.9", "http/1.0", "h2c", "h3" }, true)]
    [InlineData(new[] { "spdy/3.1", "spdy/1" }, true)]
    [InlineData(new[] { "h2-14", "h3-29" }, true)] // draft ids
    [InlineData(new[] { "HTTP/1.1" }, true)]
    [InlineData(new[] { "\n\n", "h2" }, true)] // GREASE 0x0A0A is ignored
    [InlineData(new string[0], false)] // no ALPN: accept the client
    [InlineData(new[] { "\n\n" }, false)] // only GREASE: nothing real offered
    [InlineData(new[] { "imap" }, false)]
    [InlineData(new[] { "pop3" }, false)]
    [InlineData(new[] { "h2", "imap" }, false)]
    [InlineData(new[] { "http/1.1", "smtp" }, false)]
    [InlineData(new[] { "http/2" }, false)] // not an HTTP-family id in the registry
    [InlineData(new[] { "h22" }, false)]
    [InlineData(new[] { "spdy" }, false)]
    public void Classifies_offered_lists(string[] offered, bool expected)
    {
        TlsAlpnPolicy.OffersOnlyForeignProtocols(offered).Should().Be(expected);
    }

    [Fact]
    public void Null_list_is_a_programming_error()
    {
        Action act = () => TlsAlpnPolicy.OffersOnlyForeignProtocols(null!);
        act.Should().Throw<ArgumentNullException>();
    }
}
