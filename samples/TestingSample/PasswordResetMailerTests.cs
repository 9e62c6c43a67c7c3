using MailHost.Testing;

namespace TestingSample;

public sealed class PasswordResetMailerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly Uri Link = new("https://app.example.test/reset?token=abc123");

    [Fact]
    public async Task The_reset_mail_reaches_the_user_with_the_link_Async()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("user@example.test", "password");
        var mailer = new PasswordResetMailer(new SmtpSettings(MailTestServer.Host, mail.SmtpPort, "noreply@app.example.test"));
        using var deadline = new CancellationTokenSource(Wait);

        var result = await mailer.SendResetLinkAsync("user@example.test", Link, deadline.Token);

        result.Sent.Should().BeTrue();
        var received = await mail.WaitForMessageAsync(Wait, m => m.EnvelopeRecipients.Contains("user@example.test"));
        received.EnvelopeSender.Should().Be("noreply@app.example.test");
        received.Message.Subject.Should().Be("Reset your password");
        received.Message.TextBody.Should().Contain(Link.ToString());
    }

    [Fact]
    public async Task A_temporary_failure_is_retried_Async()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("user@example.test", "password");
        mail.Faults.FailNextCommands(451, "4.3.0 Mailbox busy, try again", verb: "RCPT");
        var mailer = new PasswordResetMailer(new SmtpSettings(MailTestServer.Host, mail.SmtpPort, "noreply@app.example.test"));
        using var deadline = new CancellationTokenSource(Wait);

        var result = await mailer.SendResetLinkAsync("user@example.test", Link, deadline.Token);

        result.Should().Be(new MailSendResult(true, 2, null));
        mail.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task A_permanent_failure_is_reported_without_retrying_Async()
    {
        await using var mail = await MailTestServer.StartAsync();
        await mail.AddAccountAsync("user@example.test", "password");
        mail.Faults.FailNextCommands(554, "5.7.1 Message rejected as spam", verb: "DATA");
        var mailer = new PasswordResetMailer(new SmtpSettings(MailTestServer.Host, mail.SmtpPort, "noreply@app.example.test"));
        using var deadline = new CancellationTokenSource(Wait);

        var result = await mailer.SendResetLinkAsync("user@example.test", Link, deadline.Token);

        result.Sent.Should().BeFalse();
        result.Attempts.Should().Be(1);
        result.Error.Should().Contain("rejected as spam");
        mail.Messages.Should().BeEmpty();
    }
}
