namespace MailHost.Server.DnsCheck;

/// <summary>One line of <c>domains check</c>: a verdict, what was found, and the exact record to publish when it is not OK.</summary>
/// <param name="Status">The verdict.</param>
/// <param name="Check">The check's short name (<c>MX</c>, <c>SPF</c>, ...).</param>
/// <param name="Message">What was found, and for WARN and FAIL why it matters.</param>
/// <param name="Publish">A zone-file line that fixes it, or <see langword="null"/> when no record does.</param>
internal sealed record DomainCheckResult(DomainCheckStatus Status, string Check, string Message, string? Publish = null)
{
    public static DomainCheckResult Ok(string check, string message) => new(DomainCheckStatus.Ok, check, message);

    public static DomainCheckResult Warn(string check, string message, string? publish = null) => new(DomainCheckStatus.Warn, check, message, publish);

    public static DomainCheckResult Fail(string check, string message, string? publish = null) => new(DomainCheckStatus.Fail, check, message, publish);

    /// <summary>A lookup timed out or the server failed (SERVFAIL): nothing can be said about the record, so it is not a FAIL.</summary>
    public static DomainCheckResult CouldNotCheck(string check, string name, string type)
        => new(DomainCheckStatus.Warn, check, $"could not check: the DNS lookup of {name} {type} failed (timeout or server failure); run the check again");
}
