using System.Net;

namespace MailHost.IntegrationTests.Administration;

/// <summary>Sign-ins from one address are limited per minute, before any password is hashed.</summary>
public sealed class AdminSignInLimitTests
{
    [Fact]
    public async Task The_eleventh_sign_in_of_a_minute_is_refused_with_429()
    {
        await using var host = await AdminHost.StartAsync();
        using var client = host.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            statuses.Add((await AdminHost.SignInAsync(client, "root", "wrong-" + i)).StatusCode);
        }

        statuses.Take(10).Should().AllBeEquivalentTo(HttpStatusCode.Redirect);
        statuses[10].Should().Be(HttpStatusCode.TooManyRequests);
    }
}
