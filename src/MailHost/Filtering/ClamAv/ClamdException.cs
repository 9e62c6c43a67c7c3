namespace MailHost.Filtering.ClamAv;

/// <summary>
/// clamd answered, but not with a verdict: an <c>ERROR</c> reply, a reply this client cannot read, or a connection
/// closed before the reply's NUL. The message says which and quotes clamd (made printable); the pipeline logs it and
/// applies the filter's failure policy.
/// </summary>
internal sealed class ClamdException : Exception
{
    public ClamdException()
    {
    }

    public ClamdException(string message)
        : base(message)
    {
    }

    public ClamdException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
