namespace MailHost.Protocols.MailAuthentication;

/// <summary>A DMARC requested mail receiver policy (RFC 7489 §6.3 <c>p=</c> and <c>sp=</c>).</summary>
public enum DmarcPolicy
{
    /// <summary><c>none</c>: no specific action.</summary>
    None = 0,

    /// <summary><c>quarantine</c>: treat failing mail as suspicious (here: deliver to Junk).</summary>
    Quarantine = 1,

    /// <summary><c>reject</c>: reject failing mail during the SMTP transaction.</summary>
    Reject = 2,
}
