namespace MailHost.Connections;

/// <summary>How <see cref="IMailTlsFeature.StartTlsAsync"/> ended.</summary>
public enum StartTlsOutcome
{
    /// <summary>TLS is established: read and write through <c>ConnectionContext.Transport</c> from now on.</summary>
    Started,

    /// <summary>
    /// Nothing was sent: TLS cannot start now (as many handshakes as the endpoint allows, in total or for this client,
    /// are already in progress, or STARTTLS is not offered). Answer with a temporary error and go on in plain text.
    /// </summary>
    Unavailable,

    /// <summary>
    /// The positive reply was sent but the handshake failed, or was refused because the handshake limit filled up
    /// meanwhile; the session must end without writing.
    /// </summary>
    Failed,
}
