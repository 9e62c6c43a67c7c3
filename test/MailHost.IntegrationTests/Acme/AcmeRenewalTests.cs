using System.Security.Cryptography.X509Certificates;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Tests.Logins;

namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// Renewal at two thirds of the lifetime of a short-lived Pebble certificate, with the renewal clock driven by the
/// test; and a restart that serves the stored certificate without a new order.
/// </summary>
public sealed class AcmeRenewalTests
{
    private const string Name = "mail.renew.test";

    [PebbleFact]
    public async Task A_renewed_certificate_is_served_on_the_next_handshake_while_an_open_connection_keeps_working()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name, clock);
        await host.WaitForIssuedAsync();
        var first = await host.ImapsCertificateAsync(Name);
        await using var open = await host.OpenImapsAsync(Name);
        (await open.Reader.ReadLineAsync().WaitAsync(AcmeTestHost.Bound)).Should().StartWith("* OK");

        // The next step is the renewal, two thirds into the one-hour lifetime, not sooner.
        var renewal = await clock.WaitForTimerAsync(AcmeTestHost.Bound);
        var lifetime = first.NotAfter - first.NotBefore;
        renewal.Should().BeCloseTo((first.NotBefore.ToUniversalTime() + (lifetime * 2 / 3)) - clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(5));
        clock.Advance(renewal + TimeSpan.FromSeconds(1));

        await host.WaitForIssuedAsync(2);
        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1228 && e.Message.Contains(first.SerialNumber, StringComparison.Ordinal));
        var renewed = await host.ImapsCertificateAsync(Name);
        renewed.SerialNumber.Should().NotBe(first.SerialNumber);
        (await host.SmtpStartTlsCertificateAsync(Name)).SerialNumber.Should().Be(renewed.SerialNumber);
        // The connection opened before the renewal keeps its certificate and works.
        await open.Writer.WriteAsync("a1 NOOP\r\n".AsMemory()).WaitAsync(AcmeTestHost.Bound);
        await open.Writer.FlushAsync().WaitAsync(AcmeTestHost.Bound);
        (await open.Reader.ReadLineAsync().WaitAsync(AcmeTestHost.Bound)).Should().StartWith("a1 OK");
        X509CertificateLoader.LoadCertificate(open.Tls.RemoteCertificate!.GetRawCertData()).SerialNumber.Should().Be(first.SerialNumber);
    }

    [PebbleFact]
    public async Task A_restart_serves_the_stored_certificate_without_a_new_order_and_the_files_are_owner_only()
    {
        using var data = new TempDirectory();
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());
        string firstSerial;
        await using (var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name))
        {
            await host.WaitForIssuedAsync();
            firstSerial = (await host.ImapsCertificateAsync(Name)).SerialNumber;
        }

        await using (var again = await AcmeTestHost.StartAsync(pebble, data.Path, Name))
        {
            (await again.ImapsCertificateAsync(Name)).SerialNumber.Should().Be(firstSerial);
            again.Logs.Entries.Should().Contain(e => e.EventId.Id == 1220 && e.Message.Contains(firstSerial, StringComparison.Ordinal));
            again.Logs.Entries.Should().NotContain(e => e.EventId.Id == 1221, "no order is placed for a stored certificate that is not due: " + again.LogText);
        }

        var folder = Directory.GetDirectories(Path.Combine(data.Path, "acme")).Should().ContainSingle().Subject;
        File.Exists(Path.Combine(folder, "account.key")).Should().BeTrue();
        File.Exists(Path.Combine(folder, Name + ".pem")).Should().BeTrue();
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.GetFiles(folder))
            {
                File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
            }

            File.GetUnixFileMode(folder).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.GetUnixFileMode(Path.GetDirectoryName(folder)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
