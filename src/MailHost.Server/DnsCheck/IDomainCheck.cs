namespace MailHost.Server.DnsCheck;

/// <summary>One check of <c>domains check</c>. Never throws for DNS failures: they are WARN lines.</summary>
internal interface IDomainCheck
{
    /// <summary>Checks one aspect of the domain's setup; one or more lines, in the order they are printed.</summary>
    ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken);
}
