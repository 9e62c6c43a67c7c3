namespace MailHost.Protocols.Pop3;

/// <summary>Which command a <see cref="Pop3Command"/> is; the key of a session's state table.</summary>
public enum Pop3CommandKind
{
    /// <summary><see cref="UnknownCommand"/>.</summary>
    Unknown = 0,

    /// <summary><see cref="HttpRequestCommand"/>.</summary>
    HttpRequest,

    /// <summary><see cref="UserCommand"/>.</summary>
    User,

    /// <summary><see cref="PassCommand"/>.</summary>
    Pass,

    /// <summary><see cref="ApopCommand"/>.</summary>
    Apop,

    /// <summary><see cref="AuthCommand"/>.</summary>
    Auth,

    /// <summary><see cref="StatCommand"/>.</summary>
    Stat,

    /// <summary><see cref="ListCommand"/>.</summary>
    List,

    /// <summary><see cref="RetrCommand"/>.</summary>
    Retr,

    /// <summary><see cref="DeleCommand"/>.</summary>
    Dele,

    /// <summary><see cref="NoopCommand"/>.</summary>
    Noop,

    /// <summary><see cref="RsetCommand"/>.</summary>
    Rset,

    /// <summary><see cref="QuitCommand"/>.</summary>
    Quit,

    /// <summary><see cref="TopCommand"/>.</summary>
    Top,

    /// <summary><see cref="UidlCommand"/>.</summary>
    Uidl,

    /// <summary><see cref="CapaCommand"/>.</summary>
    Capa,

    /// <summary><see cref="StlsCommand"/>.</summary>
    Stls,

    /// <summary><see cref="Utf8Command"/>.</summary>
    Utf8,
}
