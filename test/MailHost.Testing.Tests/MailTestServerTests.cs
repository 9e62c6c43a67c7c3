using System.Net;
using System.Net.Sockets;
using MailHost.Hosting;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace MailHost.Testing.Tests;

public sealed class MailTestServerTests
{
    [Fact]
    public async Task StartAsync_listens_on_four_loopback_ports_chosen_by_the_system()
    {
        await using var mail = await MailTestServer.StartAsync();

        var endPoints = new[] { mail.SmtpEndPoint, mail.SubmissionEndPoint, mail.ImapEndPoint, mail.Pop3EndPoint };
        endPoints.Should().OnlyContain(e => e.Address.Equals(IPAddress.Loopback) && e.Port > 0);
        endPoints.Select(e => e.Port).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_message_sent_over_smtp_is_recorded_with_its_envelope_and_lands_in_the_inbox()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");

        await TestMail.SendAsync(mail, TestMail.Message("shop@sender.test", "alice@example.test", "Your order"));

        var received = await mail.WaitForMessageAsync(TestMail.Wait);
        received.Protocol.Should().Be(MailProtocol.Smtp);
        received.EnvelopeSender.Should().Be("shop@sender.test");
        received.EnvelopeRecipients.Should().Equal("alice@example.test");
        received.Message.Subject.Should().Be("Your order");
        var inbox = await mail.GetMailboxMessagesAsync("alice@example.test");
        inbox.Should().ContainSingle().Which.Subject.Should().Be("Your order");
        inbox[0].Headers.Contains("Received").Should().BeTrue("the stored copy carries the server's trace header");
    }

    [Fact]
    public async Task Submission_refuses_mail_without_login_and_takes_mail_for_any_address_after_it()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("app@example.test", "secret");
        using var deadline = new CancellationTokenSource(TestMail.Wait);

        using (var anonymous = await TestMail.ConnectAsync(mail, mail.SubmissionPort))
        {
            var send = () => anonymous.SendAsync(TestMail.Message("app@example.test", "bob@elsewhere.test"), deadline.Token);
            await send.Should().ThrowAsync<MailKit.ServiceNotAuthenticatedException>("RFC 4954 §6: 530 before AUTH");
        }

        using var client = await TestMail.ConnectAsync(mail, mail.SubmissionPort);
        await client.AuthenticateAsync("app@example.test", "secret", deadline.Token);
        await client.SendAsync(TestMail.Message("noreply@example.test", "bob@elsewhere.test", "Reset"), deadline.Token);

        var received = await mail.WaitForMessageAsync(TestMail.Wait);
        received.Protocol.Should().Be(MailProtocol.Submission);
        received.EnvelopeRecipients.Should().Equal("bob@elsewhere.test");
        mail.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task StartTls_works_with_the_exposed_certificate_and_the_message_is_still_recorded()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");

        using (var client = await TestMail.ConnectAsync(mail, mail.SmtpPort, SecureSocketOptions.StartTls))
        {
            client.IsSecure.Should().BeTrue();
            using var deadline = new CancellationTokenSource(TestMail.Wait);
            await client.SendAsync(TestMail.Message("a@sender.test", "alice@example.test", "Over TLS"), deadline.Token);
        }

        (await mail.WaitForMessageAsync(TestMail.Wait)).Message.Subject.Should().Be("Over TLS");
        mail.Certificate.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public async Task WaitForMessageAsync_times_out_with_a_message_that_says_nothing_arrived()
    {
        await using var mail = await MailTestServer.StartAsync();

        var wait = () => mail.WaitForMessageAsync(TimeSpan.FromMilliseconds(100));

        (await wait.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("none arrived").And.Contain("No message has been received");
    }

    [Fact]
    public async Task WaitForMessageAsync_returns_each_message_once_and_honours_the_predicate()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");
        await TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test", "First"));
        await TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test", "Second"));

        (await mail.WaitForMessageAsync(TestMail.Wait, m => m.Message.Subject == "Second")).Message.Subject.Should().Be("Second");
        (await mail.WaitForMessageAsync(TestMail.Wait)).Message.Subject.Should().Be("First");
        var third = () => mail.WaitForMessageAsync(TimeSpan.FromMilliseconds(50));
        (await third.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("First").And.Contain("Second");
    }

    [Fact]
    public async Task Pop3_reads_what_smtp_delivered()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");
        await TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test", "For POP"));
        await mail.WaitForMessageAsync(TestMail.Wait);

        using var pop = new Pop3Client { Timeout = 10_000, ServerCertificateValidationCallback = mail.ValidateServerCertificate };
        using var deadline = new CancellationTokenSource(TestMail.Wait);
        await pop.ConnectAsync(MailTestServer.Host, mail.Pop3Port, SecureSocketOptions.StartTls, deadline.Token);
        await pop.AuthenticateAsync("alice@example.test", "password", deadline.Token);

        (await pop.GetMessageAsync(0, deadline.Token)).Subject.Should().Be("For POP");
    }

    [Fact]
    public async Task DisposeAsync_frees_the_ports()
    {
        var mail = await MailTestServer.StartAsync();
        var port = mail.SmtpPort;

        await mail.DisposeAsync();

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
    }

    [Fact]
    public async Task AddAccountAsync_refuses_a_string_that_is_no_address()
    {
        await using var mail = await MailTestServer.StartAsync();

        var add = () => mail.AddAccountAsync("not-an-address", "password");

        await add.Should().ThrowAsync<ArgumentException>();
    }
}
