namespace MailHost.MailAuthentication;

/// <summary>What happens to a message after authentication (only DMARC enforcement ever changes the default).</summary>
internal enum MailAuthenticationDisposition
{
    /// <summary>Deliver as addressed.</summary>
    Accept = 0,

    /// <summary>Deliver to each recipient's Junk mailbox (DMARC <c>p=quarantine</c>, RFC 7489 §6.3).</summary>
    Quarantine = 1,

    /// <summary>Refuse with <c>550 5.7.1</c> (DMARC <c>p=reject</c>, RFC 7489 §6.3, code from RFC 7372).</summary>
    Reject = 2,

    /// <summary>Refuse for now with <c>451 4.4.3</c> (DMARC temperror, when configured).</summary>
    Defer = 3,
}
