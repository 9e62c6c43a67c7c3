namespace MailHost.Smtp;

/// <summary>Where an SMTP session is (RFC 5321 §4.1.4, RFC 3030 §2); the row key of <see cref="SmtpCommandTable"/>.</summary>
internal enum SmtpSessionState
{
    /// <summary>Greeted; no EHLO or HELO yet (again after STARTTLS, RFC 3207 §4.2).</summary>
    Connected,

    /// <summary>Identified; no transaction.</summary>
    Ready,

    /// <summary>MAIL accepted, no recipient yet.</summary>
    Mail,

    /// <summary>At least one recipient accepted.</summary>
    Recipients,

    /// <summary>BDAT chunks arriving; only BDAT, RSET, NOOP, QUIT and the other stateless commands are allowed.</summary>
    Chunking,
}
