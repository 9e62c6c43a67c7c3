namespace MailHost.Filtering.DnsLists;

/// <summary>Lists that did not answer left the verdict open; the pipeline applies the filter's failure policy.</summary>
internal sealed class DnsListUnavailableException : Exception
{
    public DnsListUnavailableException()
    {
    }

    public DnsListUnavailableException(string message)
        : base(message)
    {
    }

    public DnsListUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
