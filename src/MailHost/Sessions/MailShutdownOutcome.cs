namespace MailHost.Sessions;

/// <summary>How a session ended when the host stopped, as the stop's summary counts it (<see cref="MailShutdown"/>).</summary>
internal enum MailShutdownOutcome
{
    /// <summary>It was waiting for the client (a command, IDLE, the greeting): it got the shutdown reply at once.</summary>
    Idle,

    /// <summary>A transfer in progress finished in time, was stored and acknowledged, then the shutdown reply followed.</summary>
    TransferFinished,

    /// <summary>A transfer or command was still running at the deadline: closed without an acknowledgement.</summary>
    Cut,
}
