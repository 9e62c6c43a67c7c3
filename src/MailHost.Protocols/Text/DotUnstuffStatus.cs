namespace MailHost.Protocols.Text;

/// <summary>The outcome of one <see cref="DotUnstuffer"/> call.</summary>
public enum DotUnstuffStatus
{
    /// <summary>All input was consumed and the end-of-data line has not been seen yet.</summary>
    NeedMoreData = 0,

    /// <summary>The exact <c>CRLF.CRLF</c> was consumed; bytes after it belong to the next command.</summary>
    Completed = 1,
}
