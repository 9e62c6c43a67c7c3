using System.Net;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Outbound;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.EndToEnd;

/// <summary>
/// <c>users remove</c> on a running server, as an operator does it: the account's mail goes with it, sessions the
/// account still has open end, and an account created again under the name starts with an empty INBOX.
/// </summary>
public sealed class AccountRemovalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_removed_account_takes_its_mail_along_and_a_new_account_of_its_name_starts_empty()
    {
        var data = await MailHostInstance.PrepareAsync(["example.com"], "user3@example.com");
        await using var host = await MailHostInstance.StartAsync(
            data,
            "mail.example.com",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Imap:Tls=None",
            "--MailHost:Auth:AllowPlaintextAuthentication=true");
        var imap = host.Services.GetRequiredService<MailListenerRegistry>().Listeners.Single(l => l.Options.Name == "Imap").EndPoint!;

        // Large enough to be kept as a content file of its own, not inside the database.
        await DeliverAsync(host.Mx, "The old owner's mail", new string('x', 100_000));
        await using var selected = await LoginAsync(imap, "user3-pw");
        (await CommandAsync(selected, "s1 SELECT INBOX")).Should().Contain("* 1 EXISTS");
        await using var idle = await LoginAsync(imap, "user3-pw");
        ContentFiles(data.Path).Should().ContainSingle();

        await MailHostInstance.AdminAsync(data.Path, "users", "remove", "user3");

        ContentFiles(data.Path).Should().BeEmpty("nothing else referenced the message's content");
        (await CommandAsync(selected, "s2 NOOP")).Should().Contain("* BYE [NONEXISTENT] The selected mailbox was deleted");
        (await MailHostInstance.AdminAsync(data.Path, "users", "add", "user3", "--address", "user3@example.com", "--password", "new-owner-pw"))
            .Should().Be("Account 'user3' added with user3@example.com.\n");
        (await MailHostInstance.AdminAsync(data.Path, "users", "show", "user3")).Should().Contain("Recent logins: none recorded");

        // A session of the removed account cannot look into the new one: it is told the account is gone and closed.
        var status = await CommandAsync(idle, "i1 STATUS INBOX (MESSAGES)");
        status.Should().Contain("* BYE The account was removed").And.NotContain(l => l.StartsWith("* STATUS", StringComparison.Ordinal));
        status[^1].Should().StartWith("i1 NO");
        (await idle.ReadToEndAsync(Timeout)).Should().BeEmpty("the server closed the connection");

        using var client = new ImapClient { Timeout = 15_000 };
        await client.ConnectAsync(imap.Address.ToString(), imap.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("user3", "new-owner-pw");
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        client.Inbox.Count.Should().Be(0, "the new owner of the name gets none of the old owner's mail");
        (await client.GetFoldersAsync(client.PersonalNamespaces[0])).Select(f => f.FullName).Should().BeEquivalentTo("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive");
        await client.DisconnectAsync(quit: true);
    }

    private static IEnumerable<string> ContentFiles(string dataDirectory)
        => Directory.EnumerateDirectories(Path.Combine(dataDirectory, "blobs"))
            .Where(d => Path.GetFileName(d) != "tmp")
            .SelectMany(Directory.EnumerateFiles);

    private static async Task DeliverAsync(IPEndPoint mx, string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@elsewhere.example"));
        message.To.Add(MailboxAddress.Parse("user3@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        using var client = new SmtpClient { Timeout = 15_000 };
        await client.ConnectAsync(mx.Address.ToString(), mx.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    private static async Task<LineClient> LoginAsync(IPEndPoint imap, string password)
    {
        var client = await LineClient.ConnectAsync(imap);
        (await client.ReadLineAsync(Timeout)).Should().StartWith("* OK");
        (await CommandAsync(client, "l1 LOGIN user3 " + password))[^1].Should().StartWith("l1 OK");
        return client;
    }

    /// <summary>Sends one command and returns every line up to and including its tagged response.</summary>
    private static async Task<List<string>> CommandAsync(LineClient client, string command)
    {
        var tag = command[..command.IndexOf(' ', StringComparison.Ordinal)] + " ";
        await client.SendAsync(command + "\r\n");
        var lines = new List<string>();
        while (true)
        {
            var line = await client.ReadLineAsync(Timeout) ?? throw new InvalidOperationException("Closed before the tagged response: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.StartsWith(tag, StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }
}
