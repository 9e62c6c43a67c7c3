namespace MailHost.Filtering;

/// <summary>The kind of an <see cref="InboundHeaderChange"/>.</summary>
public enum InboundHeaderChangeKind
{
    /// <summary>A new field at the top of the header.</summary>
    Add,

    /// <summary>Every field of the name replaced by one new field.</summary>
    Replace,

    /// <summary>Every field of the name removed.</summary>
    Remove,
}
