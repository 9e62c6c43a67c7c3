using MailHost.Certificates;
using MailHost.Tests.Logins;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>Clients without SNI get the ACME certificate rather than the generated self-signed one.</summary>
public sealed class AcmeDefaultCertificateTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_registered_certificate_replaces_the_generated_default_for_clients_without_a_name()
    {
        using var store = new ServerCertificateStore(_time, new ListLogger<ServerCertificateStore>());
        var generated = TestCertificates.Create(_time.GetUtcNow(), "localhost");
        var acme = TestCertificates.Create(_time.GetUtcNow(), "mail.example.org");
        store.Set(CertificateEntry.Create(IServerCertificateRegistry.DefaultName, CertificateEntry.GeneratedOrigin, generated, null));
        store.SelectCertificate(null).Should().BeSameAs(generated, "until ACME delivers, the generated certificate serves");

        store.SetCertificate("acme:mail.example.org", acme);

        store.SelectCertificate(null).Should().BeSameAs(acme);
        store.SelectCertificate("unknown.example").Should().BeSameAs(acme);
    }

    [Fact]
    public void A_configured_default_stays_the_default()
    {
        using var store = new ServerCertificateStore(_time, new ListLogger<ServerCertificateStore>());
        var configured = TestCertificates.Create(_time.GetUtcNow(), "mail.example.org");
        store.Set(CertificateEntry.Create(IServerCertificateRegistry.DefaultName, "/etc/mail/cert.pem", configured, null));

        store.SetCertificate("acme:mail.example.net", TestCertificates.Create(_time.GetUtcNow(), "mail.example.net"));

        store.SelectCertificate(null).Should().BeSameAs(configured);
    }
}
