namespace MailHost.Protocols.Imap;

/// <summary>The status word of an IMAP status response (RFC 9051 §7.1).</summary>
public enum ImapResponseStatus
{
    /// <summary><c>OK</c>.</summary>
    Ok,

    /// <summary><c>NO</c>: the command failed.</summary>
    No,

    /// <summary><c>BAD</c>: the command was not understood or not valid.</summary>
    Bad,

    /// <summary><c>PREAUTH</c> (greeting only).</summary>
    PreAuth,

    /// <summary><c>BYE</c>: the server is closing the connection.</summary>
    Bye,
}
