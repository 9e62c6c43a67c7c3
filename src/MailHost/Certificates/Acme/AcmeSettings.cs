namespace MailHost.Certificates.Acme;

/// <summary>The checked ACME settings: the options, and the names to ask for (<see cref="AcmeOptions.Names"/> or the host name).</summary>
internal sealed record AcmeSettings(AcmeOptions Options, IReadOnlyList<string> Names)
{
    /// <exception cref="Hosting.MailHostConfigurationException">A setting is unusable (<see cref="AcmeOptionsValidation"/>).</exception>
    public static AcmeSettings From(AcmeOptions options, string hostname) => new(options, AcmeOptionsValidation.Validate(options, hostname));
}
