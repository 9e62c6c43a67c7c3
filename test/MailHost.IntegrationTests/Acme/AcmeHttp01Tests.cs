using System.Diagnostics.Metrics;
using MailHost.Certificates;
using MailHost.Connections;
using MailHost.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// The host obtains its certificate from a real ACME server through HTTP-01 (RFC 8555 §8.3) answered on its own HTTP
/// endpoint, and every kind of TLS endpoint serves it with its chain to the ACME server's root.
/// </summary>
public sealed class AcmeHttp01Tests
{
    private const string Name = "mail.http01.test";
    private const string OtherName = "autoconfig.http01.test";

    [PebbleFact]
    public async Task The_certificate_obtained_through_HTTP01_is_served_on_IMAPS_SMTP_STARTTLS_and_POP3_Auto()
    {
        using var data = new TempDirectory();
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());
        using var expiry = new ExpiryGauge();
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name, settings: [
            "--MailHost:Certificates:Acme:Names:0=" + Name,
            "--MailHost:Certificates:Acme:Names:1=" + OtherName,
        ]);

        await host.WaitForIssuedAsync();

        var imaps = await host.ImapsCertificateAsync(Name);
        var smtp = await host.SmtpStartTlsCertificateAsync(Name);
        var pop3 = await host.Pop3AutoCertificateAsync(OtherName);
        imaps.Issuer.Should().NotBe(imaps.Subject, "Pebble issued it, it is not the generated self-signed certificate");
        smtp.SerialNumber.Should().Be(imaps.SerialNumber);
        pop3.SerialNumber.Should().Be(imaps.SerialNumber, "one certificate serves every configured name");
        (await host.HttpsCertificateAsync(OtherName)).SerialNumber
            .Should().Be(imaps.SerialNumber, "the HTTPS onboarding endpoint (autoconfig, MTA-STS) serves it with its intermediate too");
        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1223 && e.Message.Contains("http-01", StringComparison.Ordinal) && e.Message.Contains(OtherName, StringComparison.Ordinal));
        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1510, "the HTTP endpoint answered the validation");
        host.Services.GetRequiredService<IServerCertificateRegistry>().SelectCertificate(null)!.SerialNumber
            .Should().Be(imaps.SerialNumber, "clients without SNI get it too, not the generated self-signed certificate");

        // The expiry gauge (and with it the 14-day warning, which reads the same list) covers the ACME certificate.
        expiry.Read().Should().Contain(m => m.Name == "acme:" + Name && m.Seconds > 0 && m.Seconds <= PebbleServer.CertificateLifetime.TotalSeconds);
    }

    /// <summary>Reads <c>mailhost.certificate.expiry</c> the way an exporter does.</summary>
    private sealed class ExpiryGauge : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, double Seconds)> _measurements = [];

        public ExpiryGauge()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MailHostMetrics.MeterName && instrument.Name == "mailhost.certificate.expiry")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "name")
                    {
                        lock (_measurements)
                        {
                            _measurements.Add(((string)tag.Value!, value));
                        }
                    }
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<(string Name, double Seconds)> Read()
        {
            _listener.RecordObservableInstruments();
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
