using MailHost.Connections;
using MailHost.Logins;
using MailHost.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Pop3;

/// <summary>The Kestrel handler of POP3 endpoints: makes a <see cref="Pop3Session"/> and runs it.</summary>
internal sealed class Pop3ConnectionHandler(
    IMailStore store,
    PasswordAuthenticator passwords,
    SaslAuthenticator sasl,
    Pop3MaildropLocks locks,
    IOptions<Pop3Options> options,
    IOptions<AuthenticationOptions> authOptions,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : ConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var session = new Pop3Session(
            connection,
            store,
            passwords,
            sasl,
            locks,
            options.Value,
            authOptions.Value,
            timeProvider,
            loggerFactory);
        await session.RunAsync().ConfigureAwait(false);
    }
}
