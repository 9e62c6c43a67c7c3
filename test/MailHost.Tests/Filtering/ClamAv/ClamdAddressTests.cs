using System.Net.Sockets;
using MailHost.Filtering.ClamAv;

namespace MailHost.Tests.Filtering.ClamAv;

public sealed class ClamdAddressTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:3310", "127.0.0.1", 3310, "tcp://127.0.0.1:3310")]
    [InlineData("tcp://clamav:3310", "clamav", 3310, "tcp://clamav:3310")]
    [InlineData("TCP://Clamav.Example:1", "clamav.example", 1, "tcp://clamav.example:1")]
    [InlineData("tcp://[::1]:65535", "::1", 65535, "tcp://[::1]:65535")]
    [InlineData("tcp://127.0.0.1:3310/", "127.0.0.1", 3310, "tcp://127.0.0.1:3310")]
    [InlineData(" tcp://127.0.0.1:3310 ", "127.0.0.1", 3310, "tcp://127.0.0.1:3310")]
    public void Parses_tcp(string value, string host, int port, string text)
    {
        ClamdAddress.TryParse(value, out var address, out var error).Should().BeTrue(error);

        address!.Host.Should().Be(host);
        address.Port.Should().Be(port);
        address.SocketPath.Should().BeNull();
        address.ToString().Should().Be(text);
    }

    [Theory]
    [InlineData("unix:/run/clamav/clamd.ctl", "/run/clamav/clamd.ctl")]
    [InlineData("unix:///run/clamav/clamd.ctl", "/run/clamav/clamd.ctl")]
    public void Parses_unix(string value, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        ClamdAddress.TryParse(value, out var address, out var error).Should().BeTrue(error);

        address!.SocketPath.Should().Be(path);
        address.Host.Should().BeNull();
        address.ToString().Should().Be("unix:" + path);
    }

    [Theory]
    [InlineData(null, "is empty*")]
    [InlineData("", "is empty*")]
    [InlineData("127.0.0.1:3310", "*is not tcp://host:port or unix:/path*")]
    [InlineData("http://127.0.0.1:3310", "*is not tcp://host:port or unix:/path*")]
    [InlineData("tcp://127.0.0.1", "*needs a port from 1 to 65535*")]
    [InlineData("tcp://127.0.0.1:0", "*needs a port from 1 to 65535*")]
    [InlineData("tcp://127.0.0.1:65536", "*is not tcp://host:port or unix:/path*")]
    [InlineData("tcp://127.0.0.1:3310/scan", "*needs a port from 1 to 65535 and nothing after it*")]
    [InlineData("tcp://user@127.0.0.1:3310", "*needs a port from 1 to 65535 and nothing after it*")]
    [InlineData("unix:clamd.ctl", "*does not name an absolute socket path*")]
    [InlineData("unix:", "*does not name an absolute socket path*")]
    public void Refuses(string? value, string message)
    {
        ClamdAddress.TryParse(value, out var address, out var error).Should().BeFalse();

        address.Should().BeNull();
        error.Should().Match(message);
    }

    [Fact]
    public async Task An_unknown_host_name_fails_to_connect()
    {
        ClamdAddress.TryParse("tcp://clamd.invalid:3310", out var address, out _).Should().BeTrue();

        var connect = () => address!.ConnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        await connect.Should().ThrowAsync<SocketException>();
    }
}
