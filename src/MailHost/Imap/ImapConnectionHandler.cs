using MailHost.Filtering;
using MailHost.Logins;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using MailHost.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Imap;

/// <summary>The Kestrel handler of IMAP endpoints: makes an <see cref="ImapSession"/> and runs it.</summary>
internal sealed class ImapConnectionHandler(
    IMailStore store,
    PasswordAuthenticator passwords,
    SaslAuthenticator sasl,
    IOptions<ImapOptions> options,
    IOptions<AuthenticationOptions> authOptions,
    MailShutdown shutdown,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory,
    JunkTrainingQueue? junkTraining = null) : ConnectionHandler
{
    private readonly ImapServices _services = new()
    {
        Store = store,
        Passwords = passwords,
        Sasl = sasl,
        Options = options.Value,
        MaxLoginFailures = authOptions.Value.MaxFailuresPerConnection,
        TimeProvider = timeProvider,
        LoggerFactory = loggerFactory,
        Logger = loggerFactory.CreateLogger<ImapSession>(),
        Shutdown = shutdown,
        JunkTraining = junkTraining is { IsEnabled: true } ? junkTraining : null,
    };

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var session = new ImapSession(connection, _services, shutdown.Requested);
        await session.RunAsync().ConfigureAwait(false);
    }
}
