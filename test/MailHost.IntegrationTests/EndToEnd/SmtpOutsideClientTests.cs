using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>SMTP with clients that are not ours: swaks, curl, python3 smtplib and openssl s_client.</summary>
public sealed class SmtpOutsideClientTests
{
    [Theory]
    [InlineData(MailTlsMode.StartTls, "--tls")]
    [InlineData(MailTlsMode.Implicit, "--tlsc")]
    public async Task Swaks_submits_with_TLS_and_AUTH(MailTlsMode mode, string tlsOption)
    {
        Assert.True(ExternalProcess.Exists("swaks"), "swaks is installed by .ci/run");
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, mode);

        var result = await ExternalProcess.RunAsync(
            "swaks",
            ["--server", "127.0.0.1", "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), tlsOption,
             "--auth", "PLAIN", "--auth-user", "alice@example.com", "--auth-password", MailWorld.AlicePassword,
             "--from", "alice@example.com", "--to", "bob@example.com", "--header", "Subject: from swaks", "--body", ".dot line\nsecond",
             "--timeout", "20"],
            timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        var stored = Encoding.UTF8.GetString((await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject);
        stored.Should().Contain("Subject: from swaks").And.Contain("\r\n.dot line\r\nsecond\r\n").And.Contain("with ESMTPSA (TLSv1.");
    }

    [Fact]
    public async Task Swaks_pipelines_to_the_MX_port()
    {
        Assert.True(ExternalProcess.Exists("swaks"), "swaks is installed by .ci/run");
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world);

        var result = await ExternalProcess.RunAsync(
            "swaks",
            ["--server", "127.0.0.1", "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--pipeline",
             "--from", "someone@remote.example", "--to", "alice@example.com,bob@example.com", "--timeout", "20"],
            timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        (await SmtpTestHost.InboxAsync(world.Store, "alice")).Should().ContainSingle();
        (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle();
    }

    [Theory]
    [InlineData("smtps", MailTlsMode.Implicit)]
    [InlineData("smtp", MailTlsMode.StartTls)]
    public async Task Curl_submits_a_file_byte_identical(string scheme, MailTlsMode mode)
    {
        Assert.True(ExternalProcess.Exists("curl"), "curl is installed by .ci/run");
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, mode);
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "message.eml");
        var message = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: curl\r\n\r\n.leading dot\r\nbody\r\n";
        await File.WriteAllTextAsync(file, message);

        var result = await ExternalProcess.RunAsync(
            "curl",
            ["-s", "-S", "-k", "--ssl-reqd", "--max-time", "30", "--url", $"{scheme}://127.0.0.1:{server.Port}",
             "--user", $"alice:{MailWorld.AlicePassword}", "--mail-from", "alice@example.com", "--mail-rcpt", "bob@example.com", "--upload-file", file],
            timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardError);
        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out _).Should().Be(message);
    }

    [Fact]
    public async Task Python_smtplib_sends_over_STARTTLS_with_login_and_SMTPUTF8()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.StartTls);
        var script = $$"""
            import smtplib, ssl
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            s = smtplib.SMTP('127.0.0.1', {{server.Port}}, timeout=20)
            s.starttls(context=ctx)
            s.login('alice', '{{MailWorld.AlicePassword}}')
            msg = 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: py\r\n\r\nGrüße aus Python\r\n'.encode('utf-8')
            refused = s.sendmail('alice@example.com', ['bob@example.com'], msg, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
            assert refused == {}, refused
            s.quit()
            """;

        var result = await ExternalProcess.RunAsync("python3", ["-c", script], timeout: TimeSpan.FromSeconds(60));

        result.ExitCode.Should().Be(0, result.StandardError);
        var stored = (await SmtpTestHost.InboxAsync(world.Store, "bob")).Should().ContainSingle().Subject;
        SmtpTestHost.WithoutTraceFields(stored, out _, out var received).Should().EndWith("\r\n\r\nGrüße aus Python\r\n");
        received.Should().Contain("with UTF8SMTPSA");
    }

    [Fact]
    public async Task Openssl_starttls_smtp_sees_AUTH_only_inside_TLS()
    {
        var world = new MailWorld();
        await using var server = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.StartTls);

        var result = await ExternalProcess.RunAsync(
            "openssl",
            ["s_client", "-starttls", "smtp", "-connect", $"127.0.0.1:{server.Port}", "-quiet"],
            standardInput: "EHLO openssl.example\r\nQUIT\r\n",
            timeout: TimeSpan.FromSeconds(30));

        result.StandardOutput.Should().Contain("AUTH PLAIN LOGIN SCRAM-SHA-256", result.StandardError)
            .And.NotContain("STARTTLS").And.Contain("221 2.0.0");
    }
}
