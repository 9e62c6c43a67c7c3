namespace MailHost.Protocols.Imap;

/// <summary>THREAD algorithms (RFC 5256 §3).</summary>
public enum ImapThreadAlgorithm
{
    /// <summary><c>ORDEREDSUBJECT</c>.</summary>
    OrderedSubject,

    /// <summary><c>REFERENCES</c>.</summary>
    References,
}
