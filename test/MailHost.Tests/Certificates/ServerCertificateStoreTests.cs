using System.Diagnostics.Metrics;
using System.Security.Cryptography.X509Certificates;
using MailHost.Certificates;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Tests.Logins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Certificates;

/// <summary>The registry an ACME client or an application hands certificates to, its logs, metrics and configuration.</summary>
public sealed class ServerCertificateStoreTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger<ServerCertificateStore> _log = new();

    [Fact]
    public void A_certificate_set_by_name_is_served_for_its_names_and_replaced_by_the_same_name()
    {
        using var store = new ServerCertificateStore(_time, _log);
        var first = TestCertificates.Create(_time.GetUtcNow(), "mail.a.example");
        var renewed = TestCertificates.Create(_time.GetUtcNow(), "mail.a.example");

        store.SetCertificate("acme:mail.a.example", first);
        store.SelectCertificate("mail.a.example").Should().BeSameAs(first);
        store.SetCertificate("acme:mail.a.example", renewed);

        store.SelectCertificate("mail.a.example").Should().BeSameAs(renewed);
        store.Current.Entries.Should().ContainSingle();
        var serving = _log.Entries.Where(e => e.Id.Id == 1203).Select(e => e.Text).ToList();
        serving.Should().HaveCount(2);
        serving[1].Should().Contain("acme:mail.a.example").And.Contain(renewed.Thumbprint).And.Contain("mail.a.example").And.Contain("CN=mail.a.example");
    }

    [Fact]
    public void A_removed_certificate_is_no_longer_served()
    {
        using var store = new ServerCertificateStore(_time, _log);
        store.SetCertificate("x", TestCertificates.Create(_time.GetUtcNow(), "mail.x.example"));

        store.RemoveCertificate("x").Should().BeTrue();
        store.RemoveCertificate("x").Should().BeFalse();
        store.SelectCertificate("mail.x.example").Should().BeNull();
    }

    [Fact]
    public void A_certificate_without_key_or_expired_is_refused()
    {
        using var store = new ServerCertificateStore(_time, _log);
        using var publicOnly = X509CertificateLoader.LoadCertificate(TestCertificates.Create(_time.GetUtcNow(), "a.example").RawData);
        var now = _time.GetUtcNow();
        var expired = TestCertificates.Create("CN=a.example", ["a.example"], now.AddDays(-10), now.AddDays(-1));

        store.Invoking(s => s.SetCertificate("a", publicOnly)).Should().Throw<ArgumentException>().WithMessage("*no private key*");
        store.Invoking(s => s.SetCertificate("a", expired)).Should().Throw<ArgumentException>().WithMessage("*expired*");
        store.Current.Entries.Should().BeEmpty();
    }

    [Fact]
    public void The_expiry_gauge_reports_seconds_left_per_certificate_name()
    {
        using var store = new ServerCertificateStore(_time, _log);
        var now = _time.GetUtcNow();
        store.SetCertificate("gauge-test", TestCertificates.Create("CN=g.example", ["g.example"], now.AddDays(-1), now.AddDays(10)));
        var measured = new List<(double Value, string? Name)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MailHostMetrics.MeterName && instrument.Name == "mailhost.certificate.expiry")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "name")
                {
                    measured.Add((value, tag.Value as string));
                }
            }
        });
        listener.Start();

        listener.RecordObservableInstruments();

        measured.Should().Contain(m => m.Name == "gauge-test").Which.Value.Should().BeApproximately(TimeSpan.FromDays(10).TotalSeconds, 1);
    }

    [Fact]
    public void Named_certificates_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MailHost:Certificate:Path"] = "default.pem",
            ["MailHost:Certificates:a:Path"] = "a.pem",
            ["MailHost:Certificates:a:KeyPath"] = "a.key",
            ["MailHost:Certificates:b:Path"] = "b.pfx",
            ["MailHost:Certificates:b:Password"] = "pw",
            ["MailHost:CertificateReloadInterval"] = "00:01:00",
        }).Build();
        using var services = new ServiceCollection().AddMailHost(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<MailHostOptions>>().Value;

        options.CertificateReloadInterval.Should().Be(TimeSpan.FromMinutes(1));
        CertificateFileSource.From(options).Select(s => (s.Name, s.ConfigurationKey, s.Options.Path)).Should().Equal(
            ("default", "MailHost:Certificate", "default.pem"),
            ("a", "MailHost:Certificates:a", "a.pem"),
            ("b", "MailHost:Certificates:b", "b.pfx"));
        services.GetRequiredService<IServerCertificateRegistry>().Should().BeSameAs(services.GetRequiredService<ServerCertificateStore>());
    }

    [Theory]
    [InlineData("default", "Path", "x.pem", "MailHost:Certificates:default: the name 'default' is reserved*")]
    [InlineData("c", "KeyPath", "c.key", "MailHost:Certificates:c:Path: is missing*")]
    public void A_bad_entry_is_named(string name, string key, string value, string message)
    {
        var options = new MailHostOptions();
        var entry = new MailCertificateOptions();
        typeof(MailCertificateOptions).GetProperty(key)!.SetValue(entry, value);
        options.Certificates[name] = entry;

        var read = () => CertificateFileSource.From(options);

        read.Should().Throw<MailHostConfigurationException>().WithMessage(message);
    }
}
