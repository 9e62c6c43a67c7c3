using MailHost.Delivery;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.MailAuthentication;
using MailHost.Smtp;
using MailHost.Storage;
using MailHost.Tests.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Smtp;

/// <summary>Starts SMTP endpoints over a <see cref="MailWorld"/> and reads delivered mail back through the store API.</summary>
internal static class SmtpTestHost
{
    public const string Hostname = "mx.example.com";

    public static Task<TestMailServer<SmtpConnectionHandler>> StartAsync(
        MailWorld world,
        MailProtocol protocol = MailProtocol.Smtp,
        MailTlsMode tls = MailTlsMode.StartTls,
        bool allowPlaintext = false,
        Action<SmtpOptions>? smtp = null,
        IOutboundMailDelivery? outbound = null,
        Action<MailEndpointOptions>? endpoint = null,
        IDnsResolver? dns = null,
        Action<MailAuthenticationOptions>? authentication = null,
        Action<IServiceCollection>? configure = null)
        => TestMailServer<SmtpConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = protocol;
                o.Tls = tls;
                o.TlsDetectionTimeout = TimeSpan.FromSeconds(tls == MailTlsMode.Auto ? 5 : 1);
                endpoint?.Invoke(o);
            },
            services =>
            {
                world.Register(services, allowPlaintext);
                services.Configure<MailHostOptions>(o => o.Hostname = Hostname);

                // Mail authentication on the MX endpoint asks DNS: always a fake zone here (empty unless given).
                services.AddSingleton(dns ?? new FakeDnsZone());
                services.AddMailHostSmtp();
                if (authentication is not null)
                {
                    services.Configure(authentication);
                }

                if (smtp is not null)
                {
                    services.Configure(smtp);
                }

                if (outbound is not null)
                {
                    services.AddSingleton(outbound);
                }

                configure?.Invoke(services);
            });

    /// <summary>Every message in an account's INBOX, as stored, in UID order.</summary>
    /// <summary>
    /// Connects to a submission endpoint that takes plain-text logins, sends EHLO and AUTH PLAIN as alice in one
    /// write, and returns the client once the server answered 235.
    /// </summary>
    public static async Task<LineClient> LoginAliceAsync(TestMailServer<SmtpConnectionHandler> server)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        var ir = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0alice\0" + MailWorld.AlicePassword));
        await client.SendAsync($"EHLO c.example\r\nAUTH PLAIN {ir}\r\n");
        await SmtpMxTests.ReadReplyAsync(client);
        (await client.ReadLineAsync()).Should().StartWith("235 ");
        return client;
    }

    public static async Task<List<byte[]>> InboxAsync(IMailStore store, string account)
    {
        var opened = await store.OpenAccountAsync(account, CancellationToken.None);
        opened.IsSuccess.Should().BeTrue();
        await using var mailAccount = opened.Value;
        var view = await mailAccount.OpenMailboxAsync(MailboxName.Inbox, examine: true, CancellationToken.None);
        view.IsSuccess.Should().BeTrue();
        await using var mailbox = view.Value;
        var messages = new List<byte[]>();
        await foreach (var message in mailbox.FetchAsync(UidSet.All, FetchOptions.Default, CancellationToken.None))
        {
            await using var content = (await message.Content.OpenAsync(CancellationToken.None))!;
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            messages.Add(copy.ToArray());
        }

        return messages;
    }

    /// <summary>
    /// A stored message without the Return-Path, Authentication-Results (MX only) and Received fields the server
    /// added at the top.
    /// </summary>
    public static string WithoutTraceFields(byte[] stored, out string returnPath, out string received)
        => WithoutTraceFields(stored, out returnPath, out _, out received);

    /// <summary>As above, also giving the Authentication-Results field, or <see langword="null"/> when there is none.</summary>
    public static string WithoutTraceFields(byte[] stored, out string returnPath, out string? authenticationResults, out string received)
    {
        var text = System.Text.Encoding.UTF8.GetString(stored);
        text.Should().StartWith("Return-Path: ");
        var at = text.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        returnPath = text[..at];
        authenticationResults = null;
        if (text[at..].StartsWith("Authentication-Results: ", StringComparison.Ordinal))
        {
            var end = FieldEnd(text, at);
            authenticationResults = text[at..end];
            at = end;
        }

        text[at..].Should().StartWith("Received: ");
        var receivedEnd = FieldEnd(text, at);
        received = text[at..receivedEnd];
        return text[receivedEnd..];
    }

    private static int FieldEnd(string text, int start)
    {
        var end = start;
        do
        {
            end = text.IndexOf("\r\n", end, StringComparison.Ordinal) + 2;
        }
        while (text[end] is '\t' or ' ');
        return end;
    }
}
