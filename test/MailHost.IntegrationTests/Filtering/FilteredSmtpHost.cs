using MailHost.Dns;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Smtp;
using MailHost.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Filtering;

/// <summary>An MX endpoint whose filters come from configuration, as the host reads them, and an SMTP client's steps.</summary>
internal static class FilteredSmtpHost
{
    /// <summary>Starts the MX endpoint with <c>MailHost:Filtering</c> settings (keys below that section).</summary>
    public static Task<TestMailServer<SmtpConnectionHandler>> StartAsync(MailWorld world, IDictionary<string, string?> filtering, IDnsResolver? dns = null)
        => SmtpTestHost.StartAsync(world, dns: dns, configure: services =>
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(filtering.ToDictionary(p => "MailHost:Filtering:" + p.Key, p => p.Value))
                .Build();
            services.AddMailHostFiltering(configuration);
        });

    public static async Task<string> ReplyAsync(LineClient client) => (await SmtpMxTests.ReadReplyAsync(client))[^1];

    public static async Task<LineClient> ConnectAsync(TestMailServer<SmtpConnectionHandler> server)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        return client;
    }

    /// <summary>EHLO, MAIL, RCPT (each must be accepted), DATA and the content (CRLF lines, no dot-stuffing needed); the reply to the end of data.</summary>
    public static async Task<string> SendAsync(LineClient client, string content, params string[] recipients)
    {
        await client.SendAsync("EHLO client.example.net\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("MAIL FROM:<sender@remote.example>\r\n");
        (await ReplyAsync(client)).Should().StartWith("250 ");
        foreach (var recipient in recipients.Length == 0 ? ["alice@example.com"] : recipients)
        {
            await client.SendAsync($"RCPT TO:<{recipient}>\r\n");
            (await ReplyAsync(client)).Should().StartWith("250 ");
        }

        await client.SendAsync("DATA\r\n");
        (await ReplyAsync(client)).Should().StartWith("354 ");
        await client.SendAsync(content + (content.EndsWith("\r\n", StringComparison.Ordinal) ? "" : "\r\n") + ".\r\n");
        return await ReplyAsync(client);
    }

    /// <summary>Every message of one mailbox with its keywords, in UID order.</summary>
    public static async Task<List<(string Text, IReadOnlyCollection<string> Keywords)>> MailboxAsync(IMailStore store, string account, string mailbox)
    {
        var opened = await store.OpenAccountAsync(account, CancellationToken.None);
        opened.IsSuccess.Should().BeTrue();
        await using var mailAccount = opened.Value;
        var view = await mailAccount.OpenMailboxAsync(mailbox, examine: true, CancellationToken.None);
        view.IsSuccess.Should().BeTrue(view.Error?.Message);
        await using var open = view.Value;
        var messages = new List<(string, IReadOnlyCollection<string>)>();
        await foreach (var message in open.FetchAsync(UidSet.All, FetchOptions.Default, CancellationToken.None))
        {
            await using var content = (await message.Content.OpenAsync(CancellationToken.None))!;
            using var reader = new StreamReader(content);
            messages.Add((await reader.ReadToEndAsync(), message.Keywords));
        }

        return messages;
    }
}
