namespace MailHost.Testing;

/// <summary>Settings of a <see cref="MailTestServer"/>; the defaults suit most tests.</summary>
public sealed class MailTestServerOptions
{
    /// <summary>The server's name in greetings, Received headers and its certificate. Default <c>localhost</c>.</summary>
    public string Hostname { get; set; } = "localhost";

    /// <summary>
    /// Whether passwords may be sent without TLS (AUTH on submission, LOGIN on IMAP, USER/PASS on POP3). Default
    /// <see langword="true"/>, so that an application under test can log in without trusting the test certificate;
    /// set it to <see langword="false"/> to test that the application uses STARTTLS as production servers demand.
    /// </summary>
    public bool AllowPlaintextAuthentication { get; set; } = true;

    /// <summary>
    /// Whether a submitting account must own the MAIL FROM and From addresses. Default <see langword="false"/>: an
    /// application usually sends as <c>noreply@...</c> with whatever account the test gave it.
    /// </summary>
    public bool RequireOwnSenderAddress { get; set; }

    /// <summary>The largest message the SMTP endpoints take (the SIZE extension, RFC 1870). Default 10 MiB.</summary>
    public long MaxMessageSize { get; set; } = 10L * 1024 * 1024;

    /// <summary>PBKDF2 iterations of the accounts' password records. Default 4,096 (RFC 7677's minimum), far below a
    /// production server's, so that logging in does not slow the tests.</summary>
    public int PasswordIterations { get; set; } = 4096;
}
