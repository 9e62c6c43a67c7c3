using System.Net;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

/// <summary>An endpoint's own AllowPlaintextAuthentication wins over the global one, both ways; TLS always allows.</summary>
public sealed class PlaintextAuthenticationOverrideTests
{
    [Theory]
    [InlineData(false, null, false)]
    [InlineData(false, true, true)]
    [InlineData(true, null, true)]
    [InlineData(true, false, false)]
    public void The_endpoint_setting_wins_over_the_global_one(bool global, bool? endpoint, bool allowed)
    {
        var host = new AuthTestHost(o => o.AllowPlaintextAuthentication = global);

        host.Passwords.IsAllowed(isTls: false, endpoint).Should().Be(allowed);
        host.Sasl.IsAllowed(isTls: false, endpoint).Should().Be(allowed);
        host.Sasl.GetMechanisms(isTls: false, endpoint).Should().HaveCount(allowed ? 3 : 0);
        host.Passwords.IsAllowed(isTls: true, endpoint).Should().BeTrue();
    }

    [Fact]
    public async Task An_endpoint_that_refuses_plain_text_refuses_the_attempt_even_where_the_server_allows_it()
    {
        var host = new AuthTestHost(o => o.AllowPlaintextAuthentication = true);
        var context = new AuthenticationContext(AuthenticationContext.Imap, new IPEndPoint(IPAddress.Loopback, 50000), isTls: false)
        {
            AllowPlaintextAuthentication = false,
        };

        var (result, _) = await host.RunAsync(host.Passwords.AuthenticateAsync("alice", "correct horse", context, CancellationToken.None));

        result.Status.Should().Be(AuthenticationStatus.EncryptionRequired);
    }
}
