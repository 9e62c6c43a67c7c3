namespace MailHost.Protocols.Pop3;

/// <summary>A parsed POP3 command line (RFC 1939 §3). Derived records carry only what their grammar has.</summary>
public abstract record Pop3Command
{
    /// <summary>Which command this is.</summary>
    public abstract Pop3CommandKind Kind { get; }
}
