using System.Text;
using MailHost.Accounts;
using MailHost.Authentication;

namespace MailHost.Tests.Authentication;

public class SaslAuthenticatorTests
{
    private static ValueTask<AuthenticationResult> Auth(
        AuthTestHost host, string mechanism, string? initialResponse, ISaslChallengeChannel channel, AuthenticationContext? context = null) =>
        host.Sasl.AuthenticateAsync(
            mechanism,
            initialResponse is null ? (ReadOnlyMemory<byte>?)null : Encoding.ASCII.GetBytes(initialResponse),
            channel,
            context ?? AuthTestHost.Context(),
            CancellationToken.None);

    private static string B64(string text) => ScriptedChannel.B64(text);

    [Fact]
    public async Task Plain_with_initial_response_succeeds_without_challenges()
    {
        var host = new AuthTestHost();
        var channel = ScriptedChannel.Lines();
        var context = AuthTestHost.Context(AuthenticationContext.Smtp);
        var (result, _) = await host.RunAsync(Auth(host, "plain", B64("\0alice@example.com\0correct horse"), channel, context));

        result.Succeeded.Should().BeTrue();
        result.Account!.Name.Should().Be("alice");
        channel.Challenges.Should().BeEmpty();
        context.Mechanism.Should().Be("PLAIN");
        var record = host.Directory.GetLoginHistory("alice").Single();
        record.Mechanism.Should().Be("PLAIN");
        record.Protocol.Should().Be("SMTP");
    }

    [Fact]
    public async Task Plain_without_initial_response_uses_an_empty_challenge()
    {
        var host = new AuthTestHost();
        var channel = ScriptedChannel.Lines(B64("\0alice\0correct horse"));
        var (result, _) = await host.RunAsync(Auth(host, "PLAIN", null, channel));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges.Should().Equal("");
    }

    [Fact]
    public async Task Plain_with_authzid_equal_to_authcid_is_accepted()
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "PLAIN", B64("alice\0alice\0correct horse"), ScriptedChannel.Lines()));
        result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Plain_with_another_authzid_is_denied_and_recorded()
    {
        // SECURITY D3: admin\0alice\0pw
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "PLAIN", B64("bob\0alice\0correct horse"), ScriptedChannel.Lines()));
        result.Status.Should().Be(AuthenticationStatus.AuthorizationDenied);
        result.CountsAsFailure.Should().BeTrue();
        host.Directory.GetLoginHistory(null).Single().Outcome.Should().Be(LoginOutcome.Failed);
    }

    [Theory]
    [InlineData("not base64!", nameof(AuthenticationStatus.Malformed))]
    [InlineData("*", nameof(AuthenticationStatus.Malformed))]
    [InlineData("AGFsaWNl", nameof(AuthenticationStatus.Malformed))] // "\0alice": two fields
    public async Task Bad_initial_responses_fail_without_a_record(string initialResponse, string expected)
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "PLAIN", initialResponse, ScriptedChannel.Lines()));
        result.Status.Should().Be(Enum.Parse<AuthenticationStatus>(expected));
        host.Directory.GetLoginHistory(null).Should().BeEmpty();
    }

    [Fact]
    public async Task Initial_response_of_12289_octets_is_too_long_and_12288_is_read()
    {
        var host = new AuthTestHost();
        var (tooLong, _) = await host.RunAsync(Auth(host, "PLAIN", new string('A', 12289), ScriptedChannel.Lines()));
        tooLong.Status.Should().Be(AuthenticationStatus.TooLong);

        var payload = "\0alice\0" + new string('p', 9216 - 7);
        var text = B64(payload);
        text.Length.Should().Be(12288);
        var (read, _) = await host.RunAsync(Auth(host, "PLAIN", text, ScriptedChannel.Lines()));
        read.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
    }

    [Fact]
    public async Task Continuation_of_12289_octets_is_too_long()
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "PLAIN", null, ScriptedChannel.Lines(new string('A', 12289))));
        result.Status.Should().Be(AuthenticationStatus.TooLong);
    }

    [Fact]
    public async Task Star_cancels()
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "LOGIN", null, ScriptedChannel.Lines(B64("alice"), "*")));
        result.Status.Should().Be(AuthenticationStatus.Cancelled);
        result.CountsAsFailure.Should().BeFalse();
    }

    [Fact]
    public async Task Null_or_empty_initial_response_means_none()
    {
        var host = new AuthTestHost();
        byte[]? none = null;
        var channel = ScriptedChannel.Lines(B64("\0alice\0correct horse"));
        var result = await host.Sasl.AuthenticateAsync("PLAIN", none, channel, AuthTestHost.Context(), CancellationToken.None)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges.Should().Equal("");
    }

    [Fact]
    public async Task Equals_sign_initial_response_is_an_empty_response()
    {
        // LOGIN treats an empty initial response as none and asks for the user name.
        var host = new AuthTestHost();
        var channel = ScriptedChannel.Lines(B64("alice"), B64("correct horse"));
        var (result, _) = await host.RunAsync(Auth(host, "LOGIN", "=", channel));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges.Should().Equal("VXNlcm5hbWU6", "UGFzc3dvcmQ6");

        var (plain, _) = await host.RunAsync(Auth(host, "PLAIN", "=", ScriptedChannel.Lines()));
        plain.Status.Should().Be(AuthenticationStatus.Malformed);
    }

    [Fact]
    public async Task Invalid_base64_continuation_is_malformed()
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "LOGIN", null, ScriptedChannel.Lines("@@@@")));
        result.Status.Should().Be(AuthenticationStatus.Malformed);
    }

    [Fact]
    public async Task Login_sends_username_and_password_challenges()
    {
        var host = new AuthTestHost();
        var channel = ScriptedChannel.Lines(B64("alice"), B64("correct horse"));
        var (result, _) = await host.RunAsync(Auth(host, "LOGIN", null, channel));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges.Should().Equal("VXNlcm5hbWU6", "UGFzc3dvcmQ6");
    }

    [Fact]
    public async Task Login_with_initial_username_skips_the_first_challenge()
    {
        var host = new AuthTestHost();
        var channel = ScriptedChannel.Lines(B64("correct horse"));
        var (result, _) = await host.RunAsync(Auth(host, "LOGIN", B64("alice"), channel));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges.Should().Equal("UGFzc3dvcmQ6");
    }

    [Fact]
    public async Task Authenticate_login_with_an_empty_first_password_then_the_right_one()
    {
        // Some clients first answer "Password:" with an empty line, then retry with the real password.
        var host = new AuthTestHost();
        var context = AuthTestHost.Context();
        var counter = new AuthenticationFailureCounter(host.Options.MaxFailuresPerConnection);

        var (empty, emptyWait) = await host.RunAsync(Auth(host, "LOGIN", null, ScriptedChannel.Lines(B64("alice"), ""), context));
        empty.Status.Should().Be(AuthenticationStatus.EmptyPassword);
        emptyWait.Should().Be(TimeSpan.Zero);
        counter.Record(empty).Should().BeFalse();

        var (ok, okWait) = await host.RunAsync(Auth(host, "LOGIN", null, ScriptedChannel.Lines(B64("alice"), B64("correct horse")), context));
        ok.Succeeded.Should().BeTrue();
        okWait.Should().Be(TimeSpan.Zero);
        counter.Failures.Should().Be(0);
        host.Directory.GetLoginHistory("alice").Select(r => r.Outcome).Should().Equal(LoginOutcome.EmptyPassword, LoginOutcome.Succeeded);
    }

    [Fact]
    public async Task Scram_end_to_end_against_a_password_record()
    {
        var host = new AuthTestHost();
        var client = new ScramClient("alice@example.com", "correct horse");
        var context = AuthTestHost.Context();
        var (result, _) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64(client.ClientFirst), new ScriptedChannel(client.Respond), context));

        result.Succeeded.Should().BeTrue();
        result.Account!.Name.Should().Be("alice");
        client.ServerVerified.Should().BeTrue();
        context.Mechanism.Should().Be("SCRAM-SHA-256");
        host.Directory.GetLoginHistory("alice").Single().Outcome.Should().Be(LoginOutcome.Succeeded);
    }

    [Fact]
    public async Task Scram_without_initial_response_starts_with_an_empty_challenge()
    {
        var host = new AuthTestHost();
        var client = new ScramClient("alice", "correct horse");
        var channel = new ScriptedChannel(challenge => challenge.Length == 0 ? B64(client.ClientFirst) : client.Respond(challenge));
        var (result, _) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", null, channel));
        result.Succeeded.Should().BeTrue();
        channel.RawChallenges[0].Should().BeEmpty();
    }

    [Fact]
    public async Task Scram_wrong_password_and_unknown_user_look_alike()
    {
        var host = new AuthTestHost();
        var wrong = new ScramClient("alice", "wrong");
        var unknown = new ScramClient("mallory", "wrong");
        var wrongChannel = new ScriptedChannel(wrong.Respond);
        var unknownChannel = new ScriptedChannel(unknown.Respond);

        var (wrongResult, wrongWait) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64(wrong.ClientFirst), wrongChannel, AuthTestHost.Context(address: "192.0.2.1")));
        var (unknownResult, unknownWait) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64(unknown.ClientFirst), unknownChannel, AuthTestHost.Context(address: "192.0.2.2")));

        wrongResult.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        unknownResult.Status.Should().Be(wrongResult.Status);
        unknownResult.Message.Should().Be(wrongResult.Message);
        unknownWait.Should().Be(wrongWait);

        // Same shape of server-first: 16-byte salt and the configured iteration count.
        var wrongFirst = ScramClient.Attributes(wrongChannel.Challenges[0]);
        var unknownFirst = ScramClient.Attributes(unknownChannel.Challenges[0]);
        Convert.FromBase64String(unknownFirst["s"]).Length.Should().Be(Convert.FromBase64String(wrongFirst["s"]).Length);
        unknownFirst["i"].Should().Be(wrongFirst["i"]);
        wrongChannel.Challenges.Should().HaveCount(1);
        unknownChannel.Challenges.Should().HaveCount(1);

        host.Directory.GetLoginHistory("alice").Single().Outcome.Should().Be(LoginOutcome.Failed);
        host.Directory.GetLoginHistory(null).Single().Outcome.Should().Be(LoginOutcome.Failed);
    }

    [Fact]
    public async Task Scram_fake_salt_is_stable_for_an_unknown_user()
    {
        var host = new AuthTestHost(o => o.Throttle.Enabled = false);
        var salts = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var client = new ScramClient("mallory", "x");
            var channel = new ScriptedChannel(client.Respond);
            await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64(client.ClientFirst), channel));
            salts.Add(ScramClient.Attributes(channel.Challenges[0])["s"]);
        }

        salts[0].Should().Be(salts[1]);
    }

    [Fact]
    public async Task Scram_channel_binding_is_refused()
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64("p=tls-unique,,n=alice,r=abc"), ScriptedChannel.Lines()));
        result.Status.Should().Be(AuthenticationStatus.Malformed);
    }

    [Fact]
    public async Task Scram_cancel_after_server_first_is_a_counted_failure()
    {
        // The client has seen the salt by then: reading salts must not be free (ScramLookupKeyTests has the rest).
        var host = new AuthTestHost();
        var client = new ScramClient("alice", "correct horse");
        var (result, waited) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64(client.ClientFirst), ScriptedChannel.Lines("*")));
        result.Status.Should().Be(AuthenticationStatus.Cancelled);
        result.CountsAsFailure.Should().BeTrue();
        waited.Should().Be(TimeSpan.FromSeconds(2));
        host.Directory.GetLoginHistory("alice").Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.Failed);
    }

    [Fact]
    public async Task Scram_with_another_authzid_is_denied()
    {
        var host = new AuthTestHost();
        var (result, _) = await host.RunAsync(Auth(host, "SCRAM-SHA-256", B64("n,a=bob,n=alice,r=abc"), ScriptedChannel.Lines()));
        result.Status.Should().Be(AuthenticationStatus.AuthorizationDenied);
    }

    [Fact]
    public async Task Unknown_or_disabled_mechanisms_are_not_supported()
    {
        var host = new AuthTestHost(o =>
        {
            o.Mechanisms.Clear();
            o.Mechanisms.Add("scram-sha-256");
            o.Mechanisms.Add("SCRAM-SHA-256");
        });
        host.Sasl.GetMechanisms(isTls: true).Should().Equal("SCRAM-SHA-256");
        (await host.RunAsync(Auth(host, "PLAIN", B64("\0alice\0correct horse"), ScriptedChannel.Lines()))).Result.Status
            .Should().Be(AuthenticationStatus.MechanismNotSupported);
        (await host.RunAsync(Auth(host, "CRAM-MD5", null, ScriptedChannel.Lines()))).Result.Status
            .Should().Be(AuthenticationStatus.MechanismNotSupported);
    }

    [Fact]
    public void Unknown_configured_mechanism_names_the_setting()
    {
        var act = () => new AuthTestHost(o => o.Mechanisms.Add("CRAM-MD5"));
        act.Should().Throw<InvalidOperationException>().WithMessage("*MailHost:Auth:Mechanisms*CRAM-MD5*");
    }

    [Fact]
    public async Task Without_tls_nothing_is_offered_or_accepted_by_default()
    {
        var host = new AuthTestHost();
        host.Sasl.GetMechanisms(isTls: false).Should().BeEmpty();
        host.Sasl.GetMechanisms(isTls: true).Should().Equal("PLAIN", "LOGIN", "SCRAM-SHA-256");
        var channel = ScriptedChannel.Lines();
        var (result, _) = await host.RunAsync(Auth(host, "PLAIN", B64("\0alice\0correct horse"), channel, AuthTestHost.Context(tls: false)));
        result.Status.Should().Be(AuthenticationStatus.EncryptionRequired);
        host.Directory.GetLoginHistory("alice").Should().BeEmpty();
    }

    [Fact]
    public async Task Secrets_never_appear_in_logs()
    {
        var host = new AuthTestHost();
        await host.RunAsync(Auth(host, "PLAIN", B64("\0alice\0Sup3rS3cret"), ScriptedChannel.Lines()));
        await host.RunAsync(Auth(host, "LOGIN", null, ScriptedChannel.Lines(B64("alice"), B64("Sup3rS3cret"))));
        await host.RunAsync(Auth(host, "PLAIN", "@@@@", ScriptedChannel.Lines()));
        host.SaslLog.Entries.Should().NotBeEmpty();
        host.SaslLog.Entries.Should().NotContain(e => e.Text.Contains("Sup3rS3cret") || e.Text.Contains(B64("\0alice\0Sup3rS3cret")));
    }
}
