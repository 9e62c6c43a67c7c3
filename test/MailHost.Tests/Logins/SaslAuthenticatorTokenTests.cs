using System.Text;
using MailHost.Accounts;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

/// <summary>OAUTHBEARER and XOAUTH2 through the shared SASL driver, against an issuer served from the test.</summary>
public sealed class SaslAuthenticatorTokenTests : IAsyncLifetime
{
    private TestOAuthIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await TestOAuthIssuer.StartAsync();

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private AuthTestHost Host(Action<AuthenticationOptions>? configure = null, bool issuer = true)
    {
        var host = new AuthTestHost(o =>
        {
            if (issuer)
            {
                var item = new OAuthIssuerOptions { Issuer = _issuer.Issuer, RequireHttpsMetadata = false, RequiredScope = "mail" };
                item.Audiences.Add(TestOAuthIssuer.Audience);
                o.OAuth.Issuers.Add(item);
            }

            configure?.Invoke(o);
        });
        _issuer.Clock = host.Time;
        return host;
    }

    private static string OAuthBearer(string token, string? user = null) =>
        ScriptedChannel.B64($"n,{(user is null ? "" : "a=" + user)},\u0001host=mail.example.com\u0001port=993\u0001auth=Bearer {token}\u0001\u0001");

    private static string XOAuth2(string token, string user = "alice@example.com") =>
        ScriptedChannel.B64($"user={user}\u0001auth=Bearer {token}\u0001\u0001");

    private static ValueTask<AuthenticationResult> Auth(
        AuthTestHost host, string mechanism, string? initialResponse, ISaslChallengeChannel channel, AuthenticationContext? context = null) =>
        host.Sasl.AuthenticateAsync(
            mechanism,
            initialResponse is null ? (ReadOnlyMemory<byte>?)null : Encoding.ASCII.GetBytes(initialResponse),
            channel,
            context ?? AuthTestHost.Context(),
            CancellationToken.None);

    [Theory]
    [InlineData("OAUTHBEARER")]
    [InlineData("XOAUTH2")]
    public async Task A_valid_token_logs_in_and_is_recorded_with_its_mechanism_and_issuer(string mechanism)
    {
        var host = Host();
        var token = _issuer.Mint();
        var context = AuthTestHost.Context(AuthenticationContext.Pop3);
        var response = mechanism == "OAUTHBEARER" ? OAuthBearer(token, "alice") : XOAuth2(token);
        var channel = ScriptedChannel.Lines();
        var (result, waited) = await host.RunAsync(Auth(host, mechanism, response, channel, context));

        result.Succeeded.Should().BeTrue(result.ToString());
        result.Account!.Name.Should().Be("alice");
        result.AuthenticationId.Should().Be("alice@example.com");
        result.TokenIssuer.Should().Be(_issuer.Issuer);
        waited.Should().Be(TimeSpan.Zero);
        channel.Challenges.Should().BeEmpty();
        context.Mechanism.Should().Be(mechanism);
        var record = host.Directory.GetLoginHistory("alice").Single();
        record.Outcome.Should().Be(LoginOutcome.Succeeded);
        record.Mechanism.Should().Be(mechanism);
        record.Login.Should().Be("alice@example.com");
        record.Protocol.Should().Be("POP3");
    }

    [Fact]
    public async Task Without_initial_response_the_message_follows_an_empty_challenge()
    {
        var host = Host();
        var channel = ScriptedChannel.Lines(OAuthBearer(_issuer.Mint()));
        var (result, _) = await host.RunAsync(Auth(host, "OAUTHBEARER", null, channel));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges.Should().Equal("");
    }

    [Theory]
    [InlineData("OAUTHBEARER", "AQ==")] // RFC 7628 §3.2.2: %x01
    [InlineData("XOAUTH2", "")] // what XOAUTH2 clients send
    public async Task A_refused_token_gets_the_RFC_7628_error_then_fails_and_counts(string mechanism, string dummy)
    {
        var host = Host();
        var expired = _issuer.Mint(customize: d =>
        {
            d.Expires = host.Time.GetUtcNow().UtcDateTime.AddMinutes(-10);
            d.NotBefore = d.IssuedAt = d.Expires.Value.AddHours(-1);
        });
        var channel = ScriptedChannel.Lines(dummy);
        var response = mechanism == "OAUTHBEARER" ? OAuthBearer(expired, "alice@example.com") : XOAuth2(expired);
        var (result, waited) = await host.RunAsync(Auth(host, mechanism, response, channel));

        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        result.CountsAsFailure.Should().BeTrue();
        channel.Challenges.Should().Equal(
            $"{{\"status\":\"invalid_token\",\"scope\":\"mail\",\"openid-configuration\":\"{_issuer.MetadataAddress}\"}}");

        // The throttle counted it like a wrong password: the first failure waits the first delay.
        waited.Should().Be(TimeSpan.FromSeconds(2));
        host.Throttle.GetDelay(AuthTestHost.Context().RemoteEndPoint!.Address, null).Should().Be(TimeSpan.FromSeconds(2));
        var record = host.Directory.GetLoginHistory("alice").Single();
        record.Outcome.Should().Be(LoginOutcome.Failed);
        record.Mechanism.Should().Be(mechanism);
    }

    [Fact]
    public async Task The_same_stale_token_retried_does_not_escalate_the_delay()
    {
        var host = Host();
        var stale = _issuer.Mint(customize: d => d.Audience = "elsewhere");
        for (var i = 0; i < 3; i++)
        {
            var (result, waited) = await host.RunAsync(Auth(host, "XOAUTH2", XOAuth2(stale), ScriptedChannel.Lines("")));
            result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
            waited.Should().Be(TimeSpan.FromSeconds(2));
        }
    }

    [Fact]
    public async Task A_missing_scope_is_reported_as_insufficient_scope()
    {
        var host = Host();
        var channel = ScriptedChannel.Lines("AQ==");
        var token = _issuer.Mint(customize: d => d.Claims["scope"] = "openid");
        var (result, _) = await host.RunAsync(Auth(host, "OAUTHBEARER", OAuthBearer(token), channel));
        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        channel.Challenges.Single().Should().StartWith("{\"status\":\"insufficient_scope\",\"scope\":\"mail\"");
    }

    [Fact]
    public async Task A_valid_token_for_an_unknown_user_is_answered_like_a_bad_token()
    {
        var host = Host();
        var channel = ScriptedChannel.Lines("AQ==");
        var token = _issuer.Mint(customize: d => d.Claims["email"] = "mallory@example.com");
        var (result, _) = await host.RunAsync(Auth(host, "OAUTHBEARER", OAuthBearer(token), channel));
        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        channel.Challenges.Single().Should().StartWith("{\"status\":\"invalid_token\"");
        host.Directory.GetLoginHistory(null).Single().Login.Should().Be("mallory@example.com");
    }

    [Fact]
    public async Task Asking_to_be_another_user_than_the_token_names_is_denied()
    {
        var host = Host();
        var channel = ScriptedChannel.Lines("AQ==");
        var (result, _) = await host.RunAsync(Auth(host, "OAUTHBEARER", OAuthBearer(_issuer.Mint(), "bob@example.com"), channel));
        result.Status.Should().Be(AuthenticationStatus.AuthorizationDenied);
        channel.Challenges.Should().ContainSingle();

        // Any spelling of the token's own user is fine.
        var (same, _) = await host.RunAsync(Auth(host, "XOAUTH2", XOAuth2(_issuer.Mint(), "ALICE"), ScriptedChannel.Lines()));
        same.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_disabled_account_is_refused_after_the_error_round()
    {
        var host = Host();
        host.Directory.SetDisabled("alice", true);
        var channel = ScriptedChannel.Lines("AQ==");
        var (result, _) = await host.RunAsync(Auth(host, "OAUTHBEARER", OAuthBearer(_issuer.Mint()), channel));
        result.Status.Should().Be(AuthenticationStatus.AccountDisabled);
        channel.Challenges.Should().ContainSingle();
        host.Directory.GetLoginHistory("alice").Single().Outcome.Should().Be(LoginOutcome.Disabled);
    }

    [Fact]
    public async Task An_unreachable_issuer_is_a_temporary_failure_that_does_not_count()
    {
        var host = Host(o => o.OAuth.Issuers[0].MetadataAddress = "http://127.0.0.1:9/.well-known/openid-configuration");
        var channel = ScriptedChannel.Lines();
        var (result, waited) = await host.RunAsync(Auth(host, "XOAUTH2", XOAuth2(_issuer.Mint()), channel));
        result.Status.Should().Be(AuthenticationStatus.TemporaryFailure);
        result.CountsAsFailure.Should().BeFalse();
        waited.Should().Be(TimeSpan.Zero);
        channel.Challenges.Should().BeEmpty();
    }

    [Fact]
    public async Task A_blocked_address_is_refused_without_asking_the_issuer()
    {
        var host = Host(o => o.Throttle.AddressBanThreshold = 1);
        var (first, _) = await host.RunAsync(Auth(host, "XOAUTH2", XOAuth2("garbage"), ScriptedChannel.Lines("")));
        first.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        var requests = _issuer.MetadataRequests;

        var channel = ScriptedChannel.Lines();
        var (blocked, _) = await host.RunAsync(Auth(host, "XOAUTH2", XOAuth2(_issuer.Mint()), channel));
        blocked.Status.Should().Be(AuthenticationStatus.Throttled);
        channel.Challenges.Should().BeEmpty();
        _issuer.MetadataRequests.Should().Be(requests);
    }

    [Fact]
    public async Task Bearer_token_mechanisms_need_an_issuer_and_TLS()
    {
        var withIssuer = Host(o => o.AllowPlaintextAuthentication = true);
        withIssuer.Sasl.GetMechanisms(isTls: true).Should().Equal("PLAIN", "LOGIN", "SCRAM-SHA-256", "OAUTHBEARER", "XOAUTH2");
        withIssuer.Sasl.GetMechanisms(isTls: false).Should().Equal("PLAIN", "LOGIN", "SCRAM-SHA-256");
        var plain = AuthTestHost.Context(tls: false);
        var (refused, _) = await withIssuer.RunAsync(Auth(withIssuer, "XOAUTH2", XOAuth2(_issuer.Mint()), ScriptedChannel.Lines(), plain));
        refused.Status.Should().Be(AuthenticationStatus.EncryptionRequired);

        var withoutIssuer = Host(issuer: false);
        withoutIssuer.Sasl.GetMechanisms(isTls: true).Should().Equal("PLAIN", "LOGIN", "SCRAM-SHA-256");
        var (unsupported, _) = await withoutIssuer.RunAsync(Auth(withoutIssuer, "OAUTHBEARER", OAuthBearer(_issuer.Mint()), ScriptedChannel.Lines()));
        unsupported.Status.Should().Be(AuthenticationStatus.MechanismNotSupported);
    }

    [Fact]
    public void An_operators_mechanism_list_decides_which_token_mechanisms_are_offered()
    {
        var host = Host(o =>
        {
            o.Mechanisms.Clear();
            o.Mechanisms.Add("xoauth2");
            o.Mechanisms.Add("PLAIN");
        });
        host.Sasl.GetMechanisms(isTls: true).Should().Equal("XOAUTH2", "PLAIN");

        var off = Host(o =>
        {
            o.Mechanisms.Clear();
            o.Mechanisms.Add("PLAIN");
        });
        off.Sasl.GetMechanisms(isTls: true).Should().Equal("PLAIN");
        off.SaslLog.Entries.Should().Contain(e => e.Id.Id == 1155);
    }

    [Fact]
    public async Task A_malformed_message_is_malformed_and_not_recorded()
    {
        var host = Host();
        var (result, _) = await host.RunAsync(Auth(host, "OAUTHBEARER", ScriptedChannel.B64("n,,\u0001auth=Bearer a b\u0001\u0001"), ScriptedChannel.Lines()));
        result.Status.Should().Be(AuthenticationStatus.Malformed);
        host.Directory.GetLoginHistory(null).Should().BeEmpty();
        _issuer.MetadataRequests.Should().Be(0);
    }
}
