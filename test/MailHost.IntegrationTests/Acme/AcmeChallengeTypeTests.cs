using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// TLS-ALPN-01 (RFC 8737) answered on the host's HTTPS endpoint, and DNS-01 (RFC 8555 §8.4) through the documented
/// script hook, which publishes the TXT records in Pebble's DNS server with curl.
/// </summary>
public sealed class AcmeChallengeTypeTests
{
    [PebbleFact]
    public async Task TLS_ALPN_01_on_the_HTTPS_endpoint_obtains_the_certificate()
    {
        const string Name = "mail.alpn.test";
        using var data = new TempDirectory();
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name, settings: "--MailHost:Certificates:Acme:Challenge=TlsAlpn01");

        await host.WaitForIssuedAsync();

        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1223 && e.Message.Contains("tls-alpn-01", StringComparison.Ordinal));
        var served = await host.ImapsCertificateAsync(Name);
        served.Issuer.Should().NotBe(served.Subject);
        (await host.SmtpStartTlsCertificateAsync(Name)).SerialNumber.Should().Be(served.SerialNumber);
    }

    [PebbleFact]
    public async Task DNS_01_through_the_script_hook_obtains_a_certificate_with_a_wildcard()
    {
        const string Name = "mail.dns.test";
        using var data = new TempDirectory();
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name, settings: [
            "--MailHost:Certificates:Acme:Challenge=Dns01",
            "--MailHost:Certificates:Acme:DnsHook=" + pebble.WriteDnsHook(),
            "--MailHost:Certificates:Acme:Names:0=" + Name,
            "--MailHost:Certificates:Acme:Names:1=*.dns.test",
        ]);

        await host.WaitForIssuedAsync();

        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1231 && e.Message.Contains("set _acme-challenge.dns.test", StringComparison.Ordinal));
        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1231 && e.Message.Contains("clear _acme-challenge.mail.dns.test", StringComparison.Ordinal), "the record is removed afterwards");
        var served = await host.ImapsCertificateAsync(Name);
        (await host.Pop3AutoCertificateAsync("imap.dns.test")).SerialNumber.Should().Be(served.SerialNumber, "the wildcard covers other names");
    }
}
