using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailHost.Hosting;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>One self-signed certificate for the whole test run, and a client-side check that trusts exactly it.</summary>
public static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Lazy = new(() => MailCertificateProvider.CreateSelfSigned("localhost"));

    public static X509Certificate2 Certificate => Lazy.Value;

    public static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        => certificate is not null && certificate.GetCertHashString() == Certificate.GetCertHashString();
}
