namespace MailHost.Storage;

/// <summary>How STORE changes flags (RFC 9051 §6.4.6).</summary>
public enum FlagOperation
{
    /// <summary><c>FLAGS</c>: replace.</summary>
    Replace,

    /// <summary><c>+FLAGS</c>: add.</summary>
    Add,

    /// <summary><c>-FLAGS</c>: remove.</summary>
    Remove,
}
