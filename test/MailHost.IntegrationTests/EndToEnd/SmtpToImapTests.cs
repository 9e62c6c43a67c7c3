using System.Text;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>Mail submitted over SMTP and read back over IMAP, byte for byte apart from the headers the server adds.</summary>
public sealed class SmtpToImapTests
{
    [Fact]
    public async Task A_submitted_message_reads_back_over_IMAP_byte_identical_after_the_added_headers()
    {
        var world = new MailWorld();
        await using var submission = await SmtpTestHost.StartAsync(world, MailProtocol.Submission, MailTlsMode.Implicit);
        await using var imap = await TestMailServer<ImapConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Imap;
                o.Tls = MailTlsMode.Implicit;
            },
            services =>
            {
                world.Register(services);
                services.AddMailHostImap();
            });

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.com"));
        message.To.Add(MailboxAddress.Parse("bob@example.com"));
        message.Subject = "Round trip ünïcode";
        message.Body = new TextPart("plain") { Text = ".leading dot\r\n..two\r\nlast line without dot" };
        using var original = new MemoryStream();
        var wire = FormatOptions.Default.Clone();
        wire.NewLineFormat = NewLineFormat.Dos;
        await message.WriteToAsync(wire, original);

        using (var smtp = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 })
        {
            await smtp.ConnectAsync("127.0.0.1", submission.Port, SecureSocketOptions.SslOnConnect);
            await smtp.AuthenticateAsync("alice", MailWorld.AlicePassword);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        using var client = new ImapClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", imap.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("bob@example.com", MailWorld.BobPassword);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        client.Inbox.Count.Should().Be(1);
        using var stored = await client.Inbox.GetStreamAsync(0, "");
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        var bytes = copy.ToArray();

        var text = Encoding.UTF8.GetString(bytes);
        text.Should().StartWith("Return-Path: <alice@example.com>\r\nReceived: from ");
        var addedEnd = IndexAfterAddedHeaders(bytes);
        bytes.AsSpan(addedEnd).ToArray().Should().Equal(original.ToArray(), "only Return-Path and Received are added in front");
    }

    /// <summary>Where the server's own headers (Return-Path and the folded Received header) end.</summary>
    private static int IndexAfterAddedHeaders(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var received = text.IndexOf("\r\nReceived: ", StringComparison.Ordinal) + 2;
        var position = text.IndexOf("\r\n", received, StringComparison.Ordinal);
        while (position + 2 < text.Length && text[position + 2] is ' ' or '\t')
        {
            position = text.IndexOf("\r\n", position + 2, StringComparison.Ordinal);
        }

        return position + 2;
    }
}
