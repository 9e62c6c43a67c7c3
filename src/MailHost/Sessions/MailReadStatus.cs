namespace MailHost.Sessions;

/// <summary>How a wait for the client's input ended (<see cref="MailSessionConnection.ReadAsync(System.Threading.CancellationToken)"/>).</summary>
internal enum MailReadStatus
{
    /// <summary>Input, or the end of it (<c>ReadResult.IsCompleted</c>), is there to parse.</summary>
    Ready,

    /// <summary>
    /// The client closed its side before a whole unit arrived. <see cref="MailSessionConnection.ReadAsync(System.Threading.CancellationToken)"/>
    /// reports the end of input as <see cref="Ready"/> with <c>IsCompleted</c>; the session's parse loop says this.
    /// </summary>
    Closed,

    /// <summary>The deadline of the unit being read passed.</summary>
    TimedOut,

    /// <summary>The session's own time limit passed (<see cref="MailSessionConnection.LimitSessionTime"/>).</summary>
    SessionExpired,

    /// <summary>
    /// The host is stopping: at once for a wait between commands; for a transfer in progress, only once the shutdown
    /// deadline has passed (<see cref="MailSessionConnection.ShutdownDeadline"/>).
    /// </summary>
    Stopping,
}
