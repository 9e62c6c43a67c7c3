namespace MailHost.Filtering;

/// <summary>What a filter's verdict asks the server to do.</summary>
public enum InboundFilterAction
{
    /// <summary>Go on: the next filter, or the server's own handling (header changes of the verdict still apply).</summary>
    Accept,

    /// <summary>An allow list matched: accept, and skip every later filter for the rest of the session.</summary>
    Allow,

    /// <summary>Refuse with a permanent error (5xx); at connect, the session gets a 554 greeting (RFC 5321 §3.1).</summary>
    Reject,

    /// <summary>Refuse with a temporary error (4xx): the client tries again later.</summary>
    TempFail,

    /// <summary>Answer <c>250</c> and store nothing (the message is logged as discarded).</summary>
    Discard,

    /// <summary>Deliver to each recipient's <c>\Junk</c> mailbox with the <c>$Junk</c> keyword.</summary>
    Junk,

    /// <summary>Answer <c>250</c> and hold the message for the operator instead of delivering it.</summary>
    Quarantine,
}
