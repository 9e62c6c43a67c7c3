namespace MailHost.Hosting;

/// <summary>The mail protocol an endpoint speaks.</summary>
public enum MailProtocol
{
    /// <summary>IMAP4rev2 / IMAP4rev1.</summary>
    Imap,

    /// <summary>POP3.</summary>
    Pop3,

    /// <summary>SMTP for receiving mail from other servers (MX, port 25).</summary>
    Smtp,

    /// <summary>SMTP message submission by authenticated users (RFC 6409, ports 587 and 465).</summary>
    Submission,
}
