using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailHost.Testing.Tests;

public sealed class SmtpFaultTests
{
    [Fact]
    public async Task A_reply_fault_on_RCPT_rejects_the_recipient_once_and_the_next_message_goes_through()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");
        mail.Faults.FailNextCommands(451, "4.3.0 Try again later", verb: "RCPT");

        var first = () => TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test", "Refused"));

        (await first.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be((SmtpStatusCode)451);
        await TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test", "Accepted"));
        mail.Messages.Should().ContainSingle().Which.Message.Subject.Should().Be("Accepted");
    }

    [Fact]
    public async Task A_reply_fault_on_DATA_after_STARTTLS_fails_the_message_and_nothing_is_recorded()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");
        mail.Faults.FailNextCommands(554, "5.6.0 Message refused", verb: "DATA");

        var send = () => TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test"), security: SecureSocketOptions.StartTls);

        (await send.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be(SmtpStatusCode.TransactionFailed);
        mail.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task A_421_reply_fault_closes_the_connection()
    {
        await using var mail = await MailTestServer.StartAsync();
        using var client = await TestMail.ConnectAsync(mail, mail.SmtpPort);
        mail.Faults.FailNextCommands(421, "4.3.2 Shutting down");
        using var deadline = new CancellationTokenSource(TestMail.Wait);

        var noop = () => client.NoOpAsync(deadline.Token);

        (await noop.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be(SmtpStatusCode.ServiceNotAvailable);
        var again = () => client.NoOpAsync(deadline.Token);
        await again.Should().ThrowAsync<Exception>("RFC 5321 §3.8: the server closed the channel after 421").Where(e => !(e is SmtpCommandException));
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_connect_and_the_next_connection_works()
    {
        await using var mail = await MailTestServer.StartAsync();
        mail.Faults.DropNextConnections();

        var connect = () => TestMail.ConnectAsync(mail, mail.SmtpPort);

        await connect.Should().ThrowAsync<Exception>();
        using var client = await TestMail.ConnectAsync(mail, mail.SmtpPort);
        client.IsConnected.Should().BeTrue();
    }

    [Fact]
    public async Task A_drop_on_the_DATA_command_closes_the_connection_mid_transaction()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");
        mail.Faults.DropOnNextCommands(verb: "DATA");

        var send = () => TestMail.SendAsync(mail, TestMail.Message("a@sender.test", "alice@example.test"));

        await send.Should().ThrowAsync<Exception>().Where(e => e is ServiceNotConnectedException || e is IOException || e is SmtpProtocolException);
        mail.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Slow_DATA_outlasts_a_client_timeout_shorter_than_the_delay()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("alice@example.test", "password");
        mail.Faults.DelayNextDataReplies(TimeSpan.FromSeconds(30));
        using var client = await TestMail.ConnectAsync(mail, mail.SmtpPort, timeoutMs: 500);
        using var deadline = new CancellationTokenSource(TestMail.Wait);

        var send = () => client.SendAsync(TestMail.Message("a@sender.test", "alice@example.test"), deadline.Token);

        await send.Should().ThrowAsync<Exception>().Where(e => e is TimeoutException || e is IOException || e is OperationCanceledException);
        deadline.IsCancellationRequested.Should().BeFalse("the client's own timeout fired, not the test's");
    }

    [Fact]
    public async Task Implicit_tls_on_the_plain_port_gives_a_plain_client_no_greeting_and_a_tls_client_a_session()
    {
        await using var mail = await MailTestServer.StartAsync();
        mail.Faults.UseImplicitTlsOnNextConnections(2);

        var plain = () => TestMail.ConnectAsync(mail, mail.SmtpPort, SecureSocketOptions.None, timeoutMs: 500);
        await plain.Should().ThrowAsync<Exception>().Where(e => e is TimeoutException || e is IOException || e is OperationCanceledException);

        using var tls = await TestMail.ConnectAsync(mail, mail.SmtpPort, SecureSocketOptions.SslOnConnect);
        tls.IsSecure.Should().BeTrue();
    }

    [Fact]
    public async Task Invalid_fault_arguments_are_refused()
    {
        await using var mail = await MailTestServer.StartAsync();

        FluentActions.Invoking(() => mail.Faults.FailNextCommands(250, "OK")).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => mail.Faults.FailNextCommands(550, "two\r\nlines")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => mail.Faults.DropNextConnections(0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
