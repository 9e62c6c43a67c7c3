using System.Net;
using System.Text;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Logins;
using MailHost.Pop3;
using MailHost.Tests.Logins;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// OAuth 2.0 sign-in as mail clients do it: MailKit's OAUTHBEARER and XOAUTH2 over IMAP, POP3 and submission, with
/// tokens from an OpenID Connect issuer served from the test (keys made in the test, discovery and JWKS over HTTP on
/// 127.0.0.1).
/// </summary>
public sealed class OAuthLoginTests : IAsyncLifetime
{
    private readonly MailWorld _world = new();
    private TestOAuthIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await TestOAuthIssuer.StartAsync();

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private void Trust(AuthenticationOptions options)
    {
        var issuer = new OAuthIssuerOptions { Issuer = _issuer.Issuer, RequireHttpsMetadata = false, RequiredScope = "mail" };
        issuer.Audiences.Add(TestOAuthIssuer.Audience);
        options.OAuth.Issuers.Add(issuer);
    }

    /// <summary>A host for <paramref name="protocol"/> (IMAP, POP3 or SMTP submission) that trusts the test issuer unless told not to.</summary>
    private async Task<Host> StartAsync(
        string protocol, MailTlsMode tls = MailTlsMode.Implicit, bool trust = true, Action<AuthenticationOptions>? auth = null, Action<IServiceCollection>? services = null)
    {
        void Configure(IServiceCollection collection)
        {
            collection.Configure<AuthenticationOptions>(o =>
            {
                if (trust)
                {
                    Trust(o);
                }

                auth?.Invoke(o);
            });
            services?.Invoke(collection);
        }

        switch (protocol)
        {
            case "IMAP":
                var imap = await ImapTestServer.StartAsync(_world, tls, allowPlaintext: true, configure: Configure);
                return new Host(imap, imap.Port, imap.Logs);
            case "POP3":
                var pop3 = await TestMailServer<Pop3ConnectionHandler>.StartAsync(
                    o =>
                    {
                        o.Protocol = MailProtocol.Pop3;
                        o.Tls = tls;
                    },
                    collection =>
                    {
                        _world.Register(collection, allowPlaintext: true);
                        collection.AddMailHostPop3();
                        Configure(collection);
                    });
                return new Host(pop3, pop3.Port, pop3.Logs);
            default:
                var smtp = await SmtpTestHost.StartAsync(_world, MailProtocol.Submission, tls, allowPlaintext: true, configure: Configure);
                return new Host(smtp, smtp.Port, smtp.Logs);
        }
    }

    private static MailService Client(string protocol, IProtocolLogger? logger = null)
    {
        MailService client = protocol switch
        {
            "IMAP" => logger is null ? new ImapClient() : new ImapClient(logger),
            "POP3" => logger is null ? new Pop3Client() : new Pop3Client(logger),
            _ => logger is null ? new SmtpClient() : new SmtpClient(logger),
        };
        client.ServerCertificateValidationCallback = TestCertificate.Validate;
        client.Timeout = 15_000;
        return client;
    }

    private static SaslMechanism Mechanism(string mechanism, string token, string user = "alice@example.com") =>
        mechanism == "OAUTHBEARER" ? new SaslMechanismOAuthBearer(user, token) : new SaslMechanismOAuth2(user, token);

    private static async Task<MailService> ConnectAsync(Host host, string protocol, IProtocolLogger? logger = null, IPAddress? from = null)
    {
        var client = Client(protocol, logger);
        if (from is not null)
        {
            client.LocalEndPoint = new IPEndPoint(from, 0);
        }

        await client.ConnectAsync("127.0.0.1", host.Port, SecureSocketOptions.SslOnConnect).WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    /// <summary>Signs in on a new connection; returns null on success, else the exception MailKit threw.</summary>
    private static async Task<Exception?> SignInAsync(Host host, string protocol, SaslMechanism mechanism, IPAddress? from = null)
    {
        using var client = await ConnectAsync(host, protocol, from: from);
        try
        {
            await client.AuthenticateAsync(mechanism).WaitAsync(TimeSpan.FromSeconds(30));
            client.IsAuthenticated.Should().BeTrue();
            return null;
        }
        catch (Exception ex) when (ex is AuthenticationException or ProtocolException)
        {
            // MailKit's POP3 client reports the RFC 7628 error round as a protocol error (see the POP3 test below).
            client.IsAuthenticated.Should().BeFalse();
            return ex;
        }
    }

    [Theory]
    [InlineData("IMAP", "OAUTHBEARER")]
    [InlineData("IMAP", "XOAUTH2")]
    [InlineData("POP3", "OAUTHBEARER")]
    [InlineData("POP3", "XOAUTH2")]
    [InlineData("SMTP", "OAUTHBEARER")]
    [InlineData("SMTP", "XOAUTH2")]
    public async Task A_valid_token_signs_in_and_is_recorded(string protocol, string mechanism)
    {
        await using var host = await StartAsync(protocol);
        using (var client = await ConnectAsync(host, protocol))
        {
            client.AuthenticationMechanisms.Should().Contain(["OAUTHBEARER", "XOAUTH2"]);
            await client.AuthenticateAsync(Mechanism(mechanism, _issuer.Mint())).WaitAsync(TimeSpan.FromSeconds(30));
            client.IsAuthenticated.Should().BeTrue();
            if (client is ImapClient imap)
            {
                (await imap.Inbox.OpenAsync(FolderAccess.ReadOnly)).Should().Be(FolderAccess.ReadOnly);
            }

            await client.DisconnectAsync(quit: true);
        }

        var record = _world.Directory.GetLoginHistory("alice").Single();
        record.Outcome.Should().Be(LoginOutcome.Succeeded);
        record.Mechanism.Should().Be(mechanism);
        record.Protocol.Should().Be(protocol);
        record.Login.Should().Be("alice@example.com");
        record.Tls.Should().BeTrue();
        record.TokenIssuer.Should().Be(_issuer.Issuer, "the login history shows which issuer's token signed in");
    }

    [Theory]
    [InlineData("IMAP", "OAUTHBEARER", "NO [AUTHENTICATIONFAILED]")]
    [InlineData("IMAP", "XOAUTH2", "NO [AUTHENTICATIONFAILED]")]
    [InlineData("SMTP", "OAUTHBEARER", "535 5.7.8")]
    [InlineData("SMTP", "XOAUTH2", "535 5.7.8")]
    public async Task A_refused_token_gets_the_RFC_7628_error_challenge_then_the_protocols_failure(string protocol, string mechanism, string failure)
    {
        await using var host = await StartAsync(protocol);
        using var log = new MemoryStream();
        using (var client = await ConnectAsync(host, protocol, new ProtocolLogger(log, leaveOpen: true)))
        {
            var refuse = () => client.AuthenticateAsync(Mechanism(mechanism, Expired())).WaitAsync(TimeSpan.FromSeconds(30));
            await refuse.Should().ThrowAsync<AuthenticationException>();
            client.IsAuthenticated.Should().BeFalse();
        }

        var lines = Encoding.UTF8.GetString(log.ToArray()).Split("\r\n");
        var server = lines.Where(l => l.StartsWith("S: ", StringComparison.Ordinal)).Select(l => l[3..]).ToList();
        var challenge = server.Single(l => l.StartsWith("+ ey", StringComparison.Ordinal) || l.StartsWith("334 ey", StringComparison.Ordinal));
        DecodeChallenge(challenge).Should().Be(ExpectedError);

        // The client answered the challenge, and only then came the failure.
        var afterChallenge = lines.SkipWhile(l => !l.EndsWith(challenge, StringComparison.Ordinal)).Skip(1).ToList();
        afterChallenge.First().Should().StartWith("C: ");
        afterChallenge.First(l => l.StartsWith("S: ", StringComparison.Ordinal)).Should().Contain(failure);
        var refused = _world.Directory.GetLoginHistory("alice").Single();
        refused.Outcome.Should().Be(LoginOutcome.Failed);
        refused.TokenIssuer.Should().BeNull("no issuer accepted the token");
    }

    /// <summary>
    /// POP3 the same way, on the wire: MailKit's POP3 client stops reading challenges once its mechanism has sent the
    /// token, so it cannot answer the error round (it reports a protocol error); Thunderbird and the RFC do.
    /// </summary>
    [Theory]
    [InlineData("OAUTHBEARER", "AQ==")]
    [InlineData("XOAUTH2", "")]
    public async Task A_refused_token_over_POP3_gets_the_error_challenge_then_ERR(string mechanism, string dummy)
    {
        await using var host = await StartAsync("POP3");
        var token = Expired();
        var message = mechanism == "OAUTHBEARER"
            ? $"n,a=alice@example.com,\u0001host=127.0.0.1\u0001port={host.Port}\u0001auth=Bearer {token}\u0001\u0001"
            : $"user=alice@example.com\u0001auth=Bearer {token}\u0001\u0001";
        await using var client = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Port));
        await client.StartTlsAsync();
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync($"AUTH {mechanism} {Convert.ToBase64String(Encoding.UTF8.GetBytes(message))}\r\n");
        var challenge = await client.ReadLineAsync();
        challenge.Should().StartWith("+ ");
        DecodeChallenge(challenge).Should().Be(ExpectedError);
        await client.SendAsync(dummy + "\r\n");
        (await client.ReadLineAsync()).Should().Be("-ERR [AUTH] Authentication failed");

        // The session goes on: a good token signs in on the same connection.
        var good = Convert.ToBase64String(Encoding.UTF8.GetBytes($"user=alice@example.com\u0001auth=Bearer {_issuer.Mint()}\u0001\u0001"));
        await client.SendAsync($"AUTH XOAUTH2 {good}\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK Logged in");
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("not yet valid")]
    [InlineData("wrong audience")]
    [InlineData("wrong issuer")]
    [InlineData("missing scope")]
    [InlineData("unknown user")]
    [InlineData("tampered signature")]
    public async Task Bad_tokens_are_refused_and_a_good_one_still_signs_in(string kind)
    {
        await using var host = await StartAsync("IMAP");
        var token = kind switch
        {
            "expired" => _issuer.Mint(customize: d => { d.Expires = DateTime.UtcNow.AddMinutes(-2); d.NotBefore = d.IssuedAt = DateTime.UtcNow.AddHours(-1); }),
            "not yet valid" => _issuer.Mint(customize: d => d.NotBefore = DateTime.UtcNow.AddMinutes(10)),
            "wrong audience" => _issuer.Mint(customize: d => d.Audience = "https://graph.example.com"),
            "wrong issuer" => _issuer.Mint(customize: d => d.Issuer = "https://login.other.example"),
            "missing scope" => _issuer.Mint(customize: d => d.Claims["scope"] = "openid profile"),
            "unknown user" => _issuer.Mint(customize: d => d.Claims["email"] = "mallory@example.com"),
            _ => Tamper(_issuer.Mint()),
        };

        (await SignInAsync(host, "IMAP", Mechanism("OAUTHBEARER", token))).Should().BeOfType<AuthenticationException>();
        (await SignInAsync(host, "IMAP", Mechanism("XOAUTH2", token))).Should().BeOfType<AuthenticationException>();
        (await SignInAsync(host, "IMAP", Mechanism("XOAUTH2", _issuer.Mint()))).Should().BeNull();
    }

    [Fact]
    public async Task A_token_signed_with_a_key_the_issuer_publishes_later_is_accepted_once_the_keys_are_fetched_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _issuer.Clock = time;
        await using var host = await StartAsync("IMAP", services: s => s.AddSingleton<TimeProvider>(time));
        (await SignInAsync(host, "IMAP", Mechanism("OAUTHBEARER", _issuer.Mint()))).Should().BeNull();
        _issuer.JwksRequests.Should().Be(1);

        // Signed with a key the issuer does not publish yet: the key set is fetched once more, and the token refused.
        _issuer.AddRsaKey("rsa2");
        var token = _issuer.Mint("rsa2");
        (await SignInAsync(host, "IMAP", Mechanism("OAUTHBEARER", token))).Should().NotBeNull();
        _issuer.JwksRequests.Should().Be(2);

        // The issuer rotates. Within the refresh interval the unknown key id costs no fetch; after it, one fetch and in.
        _issuer.Publish("rsa2");
        (await SignInAsync(host, "IMAP", Mechanism("OAUTHBEARER", token))).Should().NotBeNull();
        _issuer.JwksRequests.Should().Be(2);
        time.Advance(TimeSpan.FromMinutes(5));
        (await SignInAsync(host, "IMAP", Mechanism("OAUTHBEARER", token))).Should().BeNull();
        (await SignInAsync(host, "IMAP", Mechanism("XOAUTH2", _issuer.Mint("rsa2")))).Should().BeNull();
        _issuer.JwksRequests.Should().Be(3);
    }

    [Fact]
    public async Task An_ES256_key_signs_in_too()
    {
        _issuer.AddEcKey("ec1");
        _issuer.Publish("rsa1", "ec1");
        await using var host = await StartAsync("SMTP");
        (await SignInAsync(host, "SMTP", Mechanism("OAUTHBEARER", _issuer.Mint("ec1")))).Should().BeNull();
    }

    [Fact]
    public async Task Failed_tokens_count_against_the_client_address_like_failed_passwords()
    {
        await using var host = await StartAsync("IMAP", auth: o =>
        {
            o.Throttle.Enabled = true;
            o.Throttle.Delays.Clear();
            o.Throttle.Delays.Add(TimeSpan.Zero);
            o.Throttle.AddressBanThreshold = 2;
        });
        var attacker = IPAddress.Parse("127.0.0.66");
        var bad = Tamper(_issuer.Mint());
        (await SignInAsync(host, "IMAP", Mechanism("XOAUTH2", bad), attacker)).Should().NotBeNull();
        (await SignInAsync(host, "IMAP", Mechanism("OAUTHBEARER", bad + "x"), attacker)).Should().NotBeNull();

        // The address is blocked now, even for a good token; another address is not.
        (await SignInAsync(host, "IMAP", Mechanism("XOAUTH2", _issuer.Mint()), attacker)).Should().NotBeNull();
        var history = _world.Directory.GetLoginHistory("alice");
        history.Select(r => r.Outcome).Should().Equal(LoginOutcome.Failed, LoginOutcome.Failed, LoginOutcome.Throttled);
        history.Should().OnlyContain(r => r.RemoteEndPoint!.Address.Equals(attacker));
        (await SignInAsync(host, "IMAP", Mechanism("XOAUTH2", _issuer.Mint()), IPAddress.Parse("127.0.0.67"))).Should().BeNull();
    }

    [Theory]
    [InlineData("IMAP")]
    [InlineData("POP3")]
    [InlineData("SMTP")]
    public async Task The_token_mechanisms_are_offered_only_inside_TLS_and_only_with_an_issuer(string protocol)
    {
        await using (var host = await StartAsync(protocol, MailTlsMode.StartTls))
        {
            using var plain = Client(protocol);
            await plain.ConnectAsync("127.0.0.1", host.Port, SecureSocketOptions.None);
            if (plain is SmtpClient smtp)
            {
                // MailKit sends EHLO on connect; plain-text logins are allowed on this host, so AUTH is listed.
                smtp.Capabilities.Should().HaveFlag(SmtpCapabilities.Authentication);
            }

            plain.AuthenticationMechanisms.Should().Contain("PLAIN").And.NotContain("OAUTHBEARER").And.NotContain("XOAUTH2");
            await plain.DisconnectAsync(quit: true);

            using var tls = Client(protocol);
            await tls.ConnectAsync("127.0.0.1", host.Port, SecureSocketOptions.StartTls);
            tls.AuthenticationMechanisms.Should().Contain(["PLAIN", "OAUTHBEARER", "XOAUTH2"]);
            await tls.DisconnectAsync(quit: true);
        }

        await using (var host = await StartAsync(protocol, MailTlsMode.Implicit, trust: false))
        {
            using var client = await ConnectAsync(host, protocol);
            client.AuthenticationMechanisms.Should().Contain("PLAIN").And.NotContain("OAUTHBEARER").And.NotContain("XOAUTH2");
        }
    }

    [Fact]
    public async Task A_token_sent_without_TLS_is_refused_as_needing_TLS()
    {
        var response = Convert.ToBase64String(Encoding.UTF8.GetBytes($"user=alice@example.com\u0001auth=Bearer {_issuer.Mint()}\u0001\u0001"));
        await using (var imap = await StartAsync("IMAP", MailTlsMode.StartTls))
        {
            await using var client = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, imap.Port));
            (await client.ReadLineAsync()).Should().StartWith("* OK");
            (await client.CommandAsync("a", "AUTHENTICATE XOAUTH2 " + response)).Last().Should().StartWith("a NO [PRIVACYREQUIRED]");
        }

        await using (var pop3 = await StartAsync("POP3", MailTlsMode.StartTls))
        {
            await using var client = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, pop3.Port));
            (await client.ReadLineAsync()).Should().StartWith("+OK");
            await client.SendAsync("AUTH XOAUTH2 " + response + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("-ERR [AUTH] Authentication is not allowed without TLS");
        }

        await using (var smtp = await StartAsync("SMTP", MailTlsMode.StartTls))
        {
            await using var client = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, smtp.Port));
            (await client.ReadLineAsync()).Should().StartWith("220 ");
            await client.SendAsync("EHLO client.example\r\n");
            await SmtpMxTests.ReadReplyAsync(client);
            await client.SendAsync("AUTH XOAUTH2 " + response + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith("530 5.7.0");
        }

        _issuer.MetadataRequests.Should().Be(0);
    }

    [Theory]
    [InlineData("IMAP")]
    [InlineData("POP3")]
    [InlineData("SMTP")]
    public async Task The_token_never_reaches_the_log_or_the_protocol_trace(string protocol)
    {
        await using var host = await StartAsync(protocol);
        var good = _issuer.Mint();
        var bad = _issuer.Mint(customize: d => d.Audience = "elsewhere");
        (await SignInAsync(host, protocol, Mechanism("OAUTHBEARER", good))).Should().BeNull();
        (await SignInAsync(host, protocol, Mechanism("XOAUTH2", bad))).Should().NotBeNull();

        // Without SASL-IR: the message on a continuation line of its own.
        await using (var client = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Port)))
        {
            await client.StartTlsAsync();
            var message = Convert.ToBase64String(Encoding.UTF8.GetBytes($"n,,\u0001auth=Bearer {good}\u0001\u0001"));
            var (greeting, command, challenge, done) = protocol switch
            {
                "IMAP" => ("* OK", "a AUTHENTICATE OAUTHBEARER", "+ ", "a OK"),
                "POP3" => ("+OK", "AUTH OAUTHBEARER", "+ ", "+OK"),
                _ => ("220 ", "AUTH OAUTHBEARER", "334 ", "235 "),
            };
            (await client.ReadLineAsync()).Should().StartWith(greeting);
            if (protocol == "SMTP")
            {
                await client.SendAsync("EHLO client.example\r\n");
                await SmtpMxTests.ReadReplyAsync(client);
            }

            await client.SendAsync(command + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith(challenge);
            await client.SendAsync(message + "\r\n");
            (await client.ReadLineAsync()).Should().StartWith(done);
        }

        await host.Logs.WaitForCountAsync(e => e.EventId.Id == 1001, 3, TimeSpan.FromSeconds(10));
        var entries = host.Logs.Entries.ToList();
        entries.Should().Contain(e => e.Category.StartsWith("MailHost.Trace.", StringComparison.Ordinal) && e.Message.Contains("<redacted>", StringComparison.Ordinal));
        foreach (var token in new[] { good, bad })
        {
            // Any part of the token, in the clear or in the base64 of a SASL message.
            var secrets = token.Split('.').Select(part => part[..Math.Min(40, part.Length)]).Append(token[^30..]).ToList();
            entries.Where(e => secrets.Any(secret => e.Message.Contains(secret, StringComparison.Ordinal)))
                .Select(e => e.Category + ": " + e.Message).Should().BeEmpty();
        }

        // Nor any SASL message carrying one, whatever its spelling.
        entries.Where(e => CarriesBearerMessage(e.Message)).Select(e => e.Category + ": " + e.Message).Should().BeEmpty();
    }

    private static bool CarriesBearerMessage(string text)
    {
        foreach (var word in text.Split([' ', ':', '"', '\\'], StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = new byte[word.Length];
            if (word.Length >= 40 && Convert.TryFromBase64String(word, bytes, out var written)
                && Encoding.UTF8.GetString(bytes, 0, written).Contains("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private string ExpectedError => $"{{\"status\":\"invalid_token\",\"scope\":\"mail\",\"openid-configuration\":\"{_issuer.MetadataAddress}\"}}";

    private static string DecodeChallenge(string line) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]));

    private string Expired() => _issuer.Mint(customize: d =>
    {
        d.Expires = DateTime.UtcNow.AddMinutes(-10);
        d.NotBefore = d.IssuedAt = d.Expires.Value.AddHours(-1);
    });

    private static string Tamper(string token)
    {
        var signature = token.ToCharArray();
        signature[^5] = signature[^5] == 'A' ? 'B' : 'A';
        return new string(signature);
    }

    /// <summary>A started host of any protocol.</summary>
    private sealed record Host(IAsyncDisposable Server, int Port, CapturingLoggerProvider Logs) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
