namespace MailHost.Protocols.MailAuthentication;

/// <summary>The result of verifying one DKIM signature, as Authentication-Results spells it (RFC 8601 §2.7.1).</summary>
public enum DkimResult
{
    /// <summary>The message was not signed.</summary>
    None = 0,

    /// <summary>The signature verified.</summary>
    Pass = 1,

    /// <summary>The signature did not verify (body hash or signature mismatch, or expired).</summary>
    Fail = 2,

    /// <summary>The signature was not acceptable to this server (rsa-sha1, a short RSA key, a message over the size limit).</summary>
    Policy = 3,

    /// <summary>The signature had syntax errors or could not be processed otherwise.</summary>
    Neutral = 4,

    /// <summary>A transient error, such as a DNS timeout while fetching the key.</summary>
    TempError = 5,

    /// <summary>A permanent error, such as a missing, revoked or unusable key, or an unsigned From field.</summary>
    PermError = 6,
}
