namespace MailHost.Imap;

/// <summary>How a read of a client line that is not a command ended (<see cref="IImapConnection"/>).</summary>
internal enum ImapLineOutcome
{
    /// <summary>The line came and was valid.</summary>
    Line,

    /// <summary>The line came and was not valid: the error is to be answered.</summary>
    Error,

    /// <summary>The client closed the connection.</summary>
    Closed,

    /// <summary>The client sent nothing for as long as it may.</summary>
    TimedOut,

    /// <summary>The server is shutting down.</summary>
    Stopping,
}
