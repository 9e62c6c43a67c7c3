using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Certificates;

/// <summary>
/// The real host with two configured certificates on one address: IMAPS (implicit TLS) and SMTP STARTTLS answer with
/// the certificate of the server name the client sends (RFC 6066 §3), the default without one, and a PEM file replaced
/// under the running host is served from a later handshake.
/// </summary>
public sealed class SniCertificateTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _data = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly X509Certificate2 _a = Create("mail.a.example");
    private readonly X509Certificate2 _b = Create("mail.b.example", "*.b.example");
    private WebApplication _app = null!;

    private string PathOf(string file) => Path.Combine(_data.Path, file);

    public async Task InitializeAsync()
    {
        WritePem(_a, PathOf("a.pem"), PathOf("a.key"));
        WritePem(_b, PathOf("b.pem"), PathOf("b.key"));
        _app = MailHostServer.Build(
            [
                "--contentRoot=" + _data.Path,
                "--MailHost:DataDirectory=" + _data.Path,
                "--MailHost:Admin:Url=",
                "--MailHost:Hostname=mail.a.example",
                "--MailHost:Outbound:Enabled=false",
                "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0",
                "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
                "--MailHost:Endpoints:Mx:Tls=StartTls",
                "--MailHost:Certificate:Path=" + PathOf("a.pem"),
                "--MailHost:Certificate:KeyPath=" + PathOf("a.key"),
                "--MailHost:Certificates:b:Path=" + PathOf("b.pem"),
                "--MailHost:Certificates:b:KeyPath=" + PathOf("b.key"),
                "--MailHost:CertificateReloadInterval=00:00:00.200",
            ],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(_logs);
            });
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _data.Dispose();
    }

    private IPEndPoint EndPointOf(string name) =>
        _app.Services.GetRequiredService<MailListenerRegistry>().Listeners.Single(l => l.Options.Name == name).EndPoint!;

    [Theory]
    [InlineData("mail.a.example", "a")]
    [InlineData("mail.b.example", "b")]
    [InlineData("imap.b.example", "b")] // the wildcard of b
    [InlineData(null, "a")] // no SNI: the default
    [InlineData("unknown.example", "a")]
    public async Task IMAPS_answers_with_the_certificate_of_the_name_sent(string? serverName, string expected)
    {
        var served = await ImapsHandshakeAsync(serverName);

        served.Should().Be((expected == "a" ? _a : _b).Thumbprint);
    }

    [Theory]
    [InlineData("mail.a.example", "a")]
    [InlineData("mail.b.example", "b")]
    [InlineData(null, "a")]
    public async Task SMTP_STARTTLS_answers_with_the_certificate_of_the_name_sent(string? serverName, string expected)
    {
        var served = await SmtpStartTlsHandshakeAsync(serverName);

        served.Should().Be((expected == "a" ? _a : _b).Thumbprint);
    }

    [Fact]
    public async Task A_PEM_file_replaced_under_the_running_host_is_served_on_a_later_handshake()
    {
        var renewed = Create("mail.b.example", "*.b.example");
        await using var open = await LineClient.ConnectAsync(EndPointOf("Imaps"));
        using var openTls = await HandshakeAsync(open.Stream, "mail.b.example");
        openTls.RemoteCertificate!.GetCertHashString().Should().Be(_b.Thumbprint);

        WritePem(renewed, PathOf("b.pem"), PathOf("b.key"));
        await _logs.WaitForAsync(e => e.EventId.Id == 1203 && e.Message.Contains(renewed.Thumbprint, StringComparison.Ordinal), Bound);

        (await ImapsHandshakeAsync("mail.b.example")).Should().Be(renewed.Thumbprint);
        (await SmtpStartTlsHandshakeAsync("imap.b.example")).Should().Be(renewed.Thumbprint);
        (await ImapsHandshakeAsync("mail.a.example")).Should().Be(_a.Thumbprint, "the other certificate is untouched");

        // The connection opened before the change keeps working on its own certificate.
        using var reader = new StreamReader(openTls);
        (await reader.ReadLineAsync().WaitAsync(Bound)).Should().StartWith("* OK");
    }

    [Fact]
    public async Task A_broken_replacement_keeps_the_served_certificate_and_is_logged()
    {
        File.WriteAllText(PathOf("b.key"), Create("other.example").GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var warning = await _logs.WaitForAsync(e => e.EventId.Id == 1204, Bound);

        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain(PathOf("b.pem"));
        (await ImapsHandshakeAsync("mail.b.example")).Should().Be(_b.Thumbprint);
    }

    private async Task<string> ImapsHandshakeAsync(string? serverName)
    {
        await using var client = await LineClient.ConnectAsync(EndPointOf("Imaps"));
        using var tls = await HandshakeAsync(client.Stream, serverName);
        return tls.RemoteCertificate!.GetCertHashString();
    }

    private async Task<string> SmtpStartTlsHandshakeAsync(string? serverName)
    {
        await using var client = await LineClient.ConnectAsync(EndPointOf("Mx"));
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.test\r\n");
        var line = await client.ReadLineAsync();
        while (line is not null && line.StartsWith("250-", StringComparison.Ordinal))
        {
            line = await client.ReadLineAsync();
        }

        line.Should().StartWith("250 ");

        await client.SendAsync("STARTTLS\r\n");
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        using var tls = await HandshakeAsync(client.Stream, serverName);
        return tls.RemoteCertificate!.GetCertHashString();
    }

    /// <summary>
    /// A TLS client handshake that accepts only the certificates this test made (CA5359: never everything). Without a
    /// server name SslStream sends no SNI; an IP-literal target is never sent either (RFC 6066 §3).
    /// </summary>
    private async Task<SslStream> HandshakeAsync(Stream transport, string? serverName)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName ?? "127.0.0.1",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && IsOurs(certificate.GetCertHashString()),
        }).WaitAsync(Bound);
        return ssl;
    }

    private bool IsOurs(string thumbprint) =>
        _a.Thumbprint == thumbprint || _b.Thumbprint == thumbprint || _logs.Entries.Any(e => e.EventId.Id == 1203 && e.Message.Contains(thumbprint, StringComparison.Ordinal));

    private static X509Certificate2 Create(params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternativeNames.AddDnsName(name);
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Writes key then certificate, each renamed into place whole, as certbot's renewal does.</summary>
    private static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        File.WriteAllText(keyPath + ".tmp", certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath + ".tmp", certificate.ExportCertificatePem());
        File.Move(keyPath + ".tmp", keyPath, overwrite: true);
        File.Move(certificatePath + ".tmp", certificatePath, overwrite: true);
    }
}
