namespace MailHost.Server.DnsCheck;

/// <summary>The verdict of one line of <c>domains check</c>.</summary>
internal enum DomainCheckStatus
{
    /// <summary>Published and correct.</summary>
    Ok,

    /// <summary>Works, but something is missing or could not be checked; mail still flows.</summary>
    Warn,

    /// <summary>Mail for or from the domain fails, or clients cannot connect, until it is fixed.</summary>
    Fail,
}
