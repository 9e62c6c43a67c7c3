namespace MailHost.Delivery;

/// <summary>Who wrote a queued message, which decides the domains it may be DKIM-signed for.</summary>
public enum OutboundOrigin
{
    /// <summary>
    /// Submitted by <see cref="OutboundEnvelope.Account"/>: signed only for a domain of one of that account's
    /// addresses or aliases.
    /// </summary>
    Submission = 0,

    /// <summary>
    /// Written by the server itself (a delivery status notification, RFC 3464): signed as its From domain, which
    /// the server chose.
    /// </summary>
    Server = 1,
}
