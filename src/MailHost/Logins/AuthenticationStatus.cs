namespace MailHost.Logins;

/// <summary>The outcome of one authentication attempt, as a session needs it to choose its reply.</summary>
internal enum AuthenticationStatus
{
    /// <summary>Authenticated (IMAP OK, POP3 +OK, SMTP 235).</summary>
    Succeeded,

    /// <summary>Unknown login or wrong secret: the two are indistinguishable (IMAP NO [AUTHENTICATIONFAILED], SMTP 535 5.7.8).</summary>
    InvalidCredentials,

    /// <summary>The client sent an empty password: refused at once, not counted by the throttle.</summary>
    EmptyPassword,

    /// <summary>The client cancelled the exchange with <c>*</c> (IMAP BAD, SMTP 501).</summary>
    Cancelled,

    /// <summary>Invalid base64 or mechanism data (IMAP BAD, SMTP 501 5.5.2).</summary>
    Malformed,

    /// <summary>A response longer than 12288 octets (SMTP 500 5.5.6, RFC 4954 §4).</summary>
    TooLong,

    /// <summary>The address or login is blocked after too many failures (IMAP NO [UNAVAILABLE], SMTP 454 4.7.0).</summary>
    Throttled,

    /// <summary>The mechanism is not implemented or not enabled (IMAP NO, SMTP 504 5.5.4).</summary>
    MechanismNotSupported,

    /// <summary>The client asked to act as another identity (authzid ≠ authcid) (SMTP 535, IMAP NO [AUTHORIZATIONFAILED]).</summary>
    AuthorizationDenied,

    /// <summary>Authentication is not allowed without TLS (IMAP NO [PRIVACYREQUIRED], SMTP 538 5.7.11 / 530 5.7.0).</summary>
    EncryptionRequired,

    /// <summary>The credentials are right but the account is disabled.</summary>
    AccountDisabled,

    /// <summary>
    /// The credentials could not be checked for a reason on the server's side (an OAuth issuer unreachable): not the
    /// client's fault and not counted (IMAP NO [UNAVAILABLE], SMTP 454 4.7.0, POP3 -ERR [SYS/TEMP]).
    /// </summary>
    TemporaryFailure,
}
