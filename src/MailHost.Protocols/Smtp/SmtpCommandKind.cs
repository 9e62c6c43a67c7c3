namespace MailHost.Protocols.Smtp;

/// <summary>Which command a <see cref="SmtpCommand"/> is; the key of a session's state table.</summary>
public enum SmtpCommandKind
{
    /// <summary><see cref="UnknownCommand"/>.</summary>
    Unknown = 0,

    /// <summary><see cref="HttpRequestCommand"/>.</summary>
    HttpRequest,

    /// <summary><see cref="EhloCommand"/>.</summary>
    Ehlo,

    /// <summary><see cref="HeloCommand"/>.</summary>
    Helo,

    /// <summary><see cref="MailCommand"/>.</summary>
    Mail,

    /// <summary><see cref="RcptCommand"/>.</summary>
    Rcpt,

    /// <summary><see cref="DataCommand"/>.</summary>
    Data,

    /// <summary><see cref="BdatCommand"/>.</summary>
    Bdat,

    /// <summary><see cref="RsetCommand"/>.</summary>
    Rset,

    /// <summary><see cref="NoopCommand"/>.</summary>
    Noop,

    /// <summary><see cref="QuitCommand"/>.</summary>
    Quit,

    /// <summary><see cref="HelpCommand"/>.</summary>
    Help,

    /// <summary><see cref="VrfyCommand"/>.</summary>
    Vrfy,

    /// <summary><see cref="ExpnCommand"/>.</summary>
    Expn,

    /// <summary><see cref="StartTlsCommand"/>.</summary>
    StartTls,

    /// <summary><see cref="AuthCommand"/>.</summary>
    Auth,
}
