using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Logins;
using MailHost.Storage;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Imap;

/// <summary>Starting IMAP test servers over <see cref="MailWorld"/> and connecting clients to them.</summary>
internal static class ImapTestServer
{
    public static Task<TestMailServer<ImapConnectionHandler>> StartAsync(
        MailWorld world,
        MailTlsMode tls,
        bool allowPlaintext = false,
        Action<ImapOptions>? imap = null,
        Action<AuthenticationOptions>? auth = null,
        Action<MailEndpointOptions>? endpoint = null,
        IMailStore? store = null,
        Action<IServiceCollection>? configure = null)
        => TestMailServer<ImapConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Imap;
                o.Tls = tls;
                o.TlsDetectionTimeout = TimeSpan.FromSeconds(tls == MailTlsMode.Auto ? 5 : 1);
                endpoint?.Invoke(o);
            },
            services =>
            {
                world.Register(services, allowPlaintext);
                if (store is not null)
                {
                    services.AddSingleton(store);
                }

                services.AddMailHostImap();
                if (imap is not null)
                {
                    services.Configure(imap);
                }

                if (auth is not null)
                {
                    services.Configure(auth);
                }

                configure?.Invoke(services);
            });

    public static async Task<ImapClient> ConnectMailKitAsync(int port, SecureSocketOptions options)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, options);
        return client;
    }

    /// <summary>A plain-text client past the greeting, logged in as alice (the server must allow plain text).</summary>
    public static async Task<LineClient> LoginAsync(TestMailServer<ImapConnectionHandler> server)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint);
        (await client.ReadLineAsync()).Should().StartWith("* OK [CAPABILITY IMAP4rev1 IMAP4rev2");
        await client.SendAsync("L1 LOGIN alice " + MailWorld.AlicePassword + "\r\n");
        (await client.ReadLineAsync()).Should().StartWith("L1 OK [CAPABILITY IMAP4rev1 IMAP4rev2");
        return client;
    }

    /// <summary>Reads lines up to and including the tagged response for <paramref name="tag"/>.</summary>
    public static async Task<List<string>> ReadUntilTaggedAsync(this LineClient client, string tag)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await client.ReadLineAsync() ?? throw new IOException("Connection closed; got: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>Sends a command and returns every line of the answer, the tagged line last.</summary>
    public static async Task<List<string>> CommandAsync(this LineClient client, string tag, string command)
    {
        await client.SendAsync(tag + " " + command + "\r\n");
        return await client.ReadUntilTaggedAsync(tag);
    }
}
