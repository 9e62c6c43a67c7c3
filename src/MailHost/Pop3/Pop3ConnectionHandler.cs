using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Sessions;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Pop3;

/// <summary>The Kestrel handler of POP3 endpoints: makes a <see cref="Pop3Session"/> and runs it.</summary>
internal sealed class Pop3ConnectionHandler : ConnectionHandler
{
    private readonly Pop3Services _services;
    private readonly MailShutdown _shutdown;

    /// <summary>Creates the handler and the services its sessions share.</summary>
    public Pop3ConnectionHandler(
        IMailStore store,
        PasswordAuthenticator passwords,
        SaslAuthenticator sasl,
        IMaildropLocks locks,
        IOptions<Pop3Options> options,
        IOptions<AuthenticationOptions> authOptions,
        MailShutdown shutdown,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(authOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(shutdown);
        _shutdown = shutdown;
        _services = new Pop3Services
        {
            Store = store,
            Passwords = passwords,
            Sasl = sasl,
            Locks = locks,
            Options = options.Value,
            Authentication = authOptions.Value,
            Connection = new MailSessionSettings
            {
                Protocol = MailProtocol.Pop3,
                WriteTimeout = options.Value.WriteTimeout,
                TimeProvider = timeProvider,
                LoggerFactory = loggerFactory,
                Logger = loggerFactory.CreateLogger<Pop3Session>(),
                Shutdown = shutdown,
            },
        };
    }

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var session = new Pop3Session(connection, _services, _shutdown.Requested);
        await session.RunAsync().ConfigureAwait(false);
    }
}
