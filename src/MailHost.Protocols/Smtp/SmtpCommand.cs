namespace MailHost.Protocols.Smtp;

/// <summary>A parsed SMTP command line (RFC 5321 §4.1). Derived records carry only what their grammar has.</summary>
public abstract record SmtpCommand
{
    /// <summary>Which command this is.</summary>
    public abstract SmtpCommandKind Kind { get; }
}
