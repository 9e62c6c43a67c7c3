using MailHost.Hosting;
using Microsoft.Extensions.Logging;

namespace MailHost.Sessions;

/// <summary>
/// What the connection mechanics of one protocol's sessions need, the same for each of its connections: built once
/// with the protocol's services and handed to every <see cref="MailSessionConnection"/>.
/// </summary>
internal sealed class MailSessionSettings
{
    /// <summary>
    /// The session's protocol: it names the protocol in errors and the trace's category. An SMTP session traces under
    /// its endpoint's protocol instead, so MX and submission traces can be told apart.
    /// </summary>
    public required MailProtocol Protocol { get; init; }

    /// <summary>How long a flush may wait for the client to read (<see cref="Connections.MailOutputFlusher"/>).</summary>
    public required TimeSpan WriteTimeout { get; init; }

    /// <summary>The clock of every deadline.</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>Makes the protocol trace's logger.</summary>
    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>The session's own logger (its category is the session type's).</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The host's graceful stop: its deadline for transfers, and the count for its summary; none in tests.</summary>
    public MailShutdown? Shutdown { get; init; }
}
