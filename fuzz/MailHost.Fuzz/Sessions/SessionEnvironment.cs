using System.IO.Pipelines;
using System.Net;
using System.Text;
using MailHost.Accounts;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Storage;
using MailHost.Storage.InMemory;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailHost.Fuzz.Sessions;

/// <summary>
/// What every session harness shares: one account (alice, password <c>alice-pw</c>, at alice@example.com) whose
/// password is hashed once per process, plain-text login allowed, no throttling; and per input a fresh in-memory store
/// holding the same three messages, and a connection on in-memory pipes.
/// </summary>
internal static class SessionEnvironment
{
    /// <summary>The longest a session may take on one input; longer is a hang.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(5);

    public static readonly string[] Messages =
    [
        "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: Lunch\r\nMessage-ID: <m1@example.com>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nHello Alice.\r\n.dot line\r\n",
        "From: =?UTF-8?B?SsO2cmc=?= <jorg@example.net>\r\nTo: alice@example.com, \"Carol, C.\" <carol@example.org>\r\nCc: undisclosed-recipients:;\r\nSubject: Re: Lunch\r\nMessage-ID: <m2@example.net>\r\nIn-Reply-To: <m1@example.com>\r\nReferences: <m1@example.com>\r\nDate: Sun, 29 Nov 2026 11:30:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n--b2\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Gr&uuml;&szlig;e</p>\r\n--b2--\r\n--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--b1--\r\n",
        "From: carol@example.org\r\nTo: alice@example.com\r\nSubject: [list] Fwd: Agenda\r\nMessage-ID: <m3@example.org>\r\nDate: Mon, 30 Nov 2026 09:15:00 -0500\r\nContent-Type: message/rfc822\r\n\r\nFrom: dave@example.com\r\nSubject: Agenda\r\n\r\n1. Budget\r\n",
    ];

    private static readonly Lazy<Accounts> Shared = new(CreateAccounts);

    public static InMemoryAccountDirectory Directory => Shared.Value.Directory;

    public static PasswordAuthenticator Passwords => Shared.Value.Passwords;

    public static SaslAuthenticator Sasl => Shared.Value.Sasl;

    public static AuthenticationOptions Authentication => Shared.Value.Options;

    /// <summary>A fresh in-memory store with alice's three messages in INBOX.</summary>
    public static async Task<IMailStore> NewStoreAsync()
    {
        var store = new InMemoryMailStore();
        foreach (var message in Messages)
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(message));
            var delivered = await store.DeliverAsync(content, [new DeliveryTarget("alice")], CancellationToken.None).ConfigureAwait(false);
            if (!delivered.IsSuccess)
            {
                throw new InvalidOperationException("The seed messages were not delivered.");
            }
        }

        return store;
    }

    /// <summary>
    /// Runs <paramref name="session"/> on a connection whose client sends <paramref name="input"/> and then closes its
    /// side; returns every byte the server wrote. A session still running after <see cref="TimeLimit"/> is a hang.
    /// </summary>
    public static byte[] Run(MailProtocol protocol, byte[] input, Func<ConnectionContext, Task> session)
    {
        // The client never stops reading: the server is never paused by a full pipe.
        var toServer = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var context = new DefaultConnectionContext("fuzz") { Transport = new DuplexPipe(toServer.Reader, toClient.Writer) };
        var endpoint = new MailEndpointOptions { Name = "Fuzz", Protocol = protocol, Tls = MailTlsMode.None };
        context.Features.Set<IMailConnectionFeature>(new MailConnection(context.ConnectionId, endpoint, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000), new IPEndPoint(IPAddress.Loopback, 25)));
        context.Features.Set<IMailTlsFeature>(new NoTls());

        return RunAsync(toServer, toClient, context, input, session).GetAwaiter().GetResult();
    }

    private static async Task<byte[]> RunAsync(Pipe toServer, Pipe toClient, ConnectionContext context, byte[] input, Func<ConnectionContext, Task> session)
    {
        await toServer.Writer.WriteAsync(input).ConfigureAwait(false);
        await toServer.Writer.CompleteAsync().ConfigureAwait(false);
        var running = Task.Run(async () =>
        {
            try
            {
                await session(context).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The documented end of a session whose client left in the middle of a transfer (an APPEND literal, a
                // BDAT chunk): the connection's error boundary, MailConnectionMiddleware, logs it as a closed
                // connection. Every input here ends with the client closing, so this is that case; anything else
                // that escapes the session is a finding.
            }
            finally
            {
                await toClient.Writer.CompleteAsync().ConfigureAwait(false);
            }
        });

        using var output = new MemoryStream();
        var reading = toClient.Reader.CopyToAsync(output);
        try
        {
            await Task.WhenAll(running, reading).WaitAsync(TimeLimit).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new FuzzInvariantException($"The session did not end within {TimeLimit.TotalSeconds} s of the client closing", ex);
        }

        // For reading a crash: MAILHOST_FUZZ_TRACE=1 prints what the server answered.
        if (Environment.GetEnvironmentVariable("MAILHOST_FUZZ_TRACE") == "1")
        {
            await Console.Error.WriteLineAsync(Encoding.UTF8.GetString(output.ToArray())).ConfigureAwait(false);
        }

        return output.ToArray();
    }

    private static Accounts CreateAccounts()
    {
        var options = new AuthenticationOptions { PasswordIterations = PasswordRecord.MinimumIterations, AllowPlaintextAuthentication = true };
        options.Throttle.Enabled = false;
        var wrapped = Options.Create(options);
        var directory = new InMemoryAccountDirectory();
        directory.AddDomain("example.com");
        directory.AddAccount("alice", "alice-pw", PasswordRecord.MinimumIterations);
        directory.AddAddress("alice", "alice@example.com");
        var throttle = new AuthenticationThrottle(wrapped, TimeProvider.System);
        var resolver = new DirectoryAuthIdentityResolver(directory, wrapped, NullLogger<DirectoryAuthIdentityResolver>.Instance);
        var passwords = new PasswordAuthenticator(resolver, directory, throttle, wrapped, TimeProvider.System, NullLogger<PasswordAuthenticator>.Instance);
        var sasl = new SaslAuthenticator(resolver, directory, throttle, wrapped, TimeProvider.System, NullLogger<SaslAuthenticator>.Instance);
        return new Accounts(directory, passwords, sasl, options);
    }

    private sealed record Accounts(InMemoryAccountDirectory Directory, PasswordAuthenticator Passwords, SaslAuthenticator Sasl, AuthenticationOptions Options);

    private sealed class NoTls : IMailTlsFeature
    {
        public bool CanStartTls => false;

        public ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady, CancellationToken cancellationToken) => ValueTask.FromResult(StartTlsOutcome.Unavailable);
    }
}
