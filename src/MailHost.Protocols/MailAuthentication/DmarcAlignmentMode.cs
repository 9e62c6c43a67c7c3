namespace MailHost.Protocols.MailAuthentication;

/// <summary>DMARC identifier alignment (RFC 7489 §3.1, <c>adkim=</c> and <c>aspf=</c>).</summary>
public enum DmarcAlignmentMode
{
    /// <summary><c>r</c> (the default): the organizational domains must match.</summary>
    Relaxed = 0,

    /// <summary><c>s</c>: the domains must be identical.</summary>
    Strict = 1,
}
