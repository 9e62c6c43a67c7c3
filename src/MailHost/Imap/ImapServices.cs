using MailHost.Filtering;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Sessions;
using MailHost.Storage;
using Microsoft.Extensions.Logging;

namespace MailHost.Imap;

/// <summary>
/// The singletons every IMAP session uses, built once per <see cref="ImapConnectionHandler"/>: the store, the login
/// checks, the options, the clock and the loggers. Sessions and their command handlers take this one object instead
/// of each singleton on its own.
/// </summary>
internal sealed class ImapServices
{
    private MailSessionSettings? _connection;

    public required IMailStore Store { get; init; }

    /// <summary>LOGIN's check, and whether passwords may be sent on a connection at all.</summary>
    public required PasswordAuthenticator Passwords { get; init; }

    /// <summary>The SASL mechanisms AUTHENTICATE offers and runs.</summary>
    public required SaslAuthenticator Sasl { get; init; }

    public required ImapOptions Options { get; init; }

    /// <summary>Failed logins after which a session closes its connection (<see cref="AuthenticationOptions.MaxFailuresPerConnection"/>).</summary>
    public required int MaxLoginFailures { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    /// <summary>Makes each connection's protocol trace.</summary>
    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>The log of sessions and their handlers, under the one category operators configure (<see cref="ImapSession"/>).</summary>
    public required ILogger Logger { get; init; }

    /// <summary>Teaches spam classifiers from moves into and out of Junk; null or disabled without a learner.</summary>
    public JunkTrainingQueue? JunkTraining { get; init; }

    /// <summary>The host's graceful stop; none in tests that run a session without a host.</summary>
    public MailShutdown? Shutdown { get; init; }

    /// <summary>The settings of each session's connection mechanics, made once from the above.</summary>
    public MailSessionSettings Connection => _connection ??= new MailSessionSettings
    {
        Protocol = MailProtocol.Imap,
        WriteTimeout = Options.WriteTimeout,
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
        Logger = Logger,
        Shutdown = Shutdown,
    };
}
