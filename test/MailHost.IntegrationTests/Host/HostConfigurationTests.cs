using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Host;

/// <summary>The host builds its listeners from configuration through the same extension methods embedders use.</summary>
public sealed class HostConfigurationTests
{
    private static WebApplication BuildHost(TempDirectory data, CapturingLoggerProvider logs, params string[] extra)
    {
        string[] args =
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Hostname=mail.test",
            .. extra,
        ];
        return MailHostServer.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });
    }

    [Fact]
    public async Task Endpoints_come_from_configuration_and_a_self_signed_certificate_is_generated()
    {
        using var data = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        await using var app = BuildHost(
            data,
            logs,
            "--MailHost:Endpoints:Plain:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Plain:Tls=Auto",
            "--MailHost:Endpoints:Plain:TlsDetectionTimeout=00:00:05",
            "--MailHost:Endpoints:Secure:Url=imaps://127.0.0.1:0",
            "--MailHost:Endpoints:Off:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Off:Enabled=false",
            "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0");
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var listeners = app.Services.GetRequiredService<MailListenerRegistry>().Listeners;
            listeners.Select(l => l.Options.Name).Should().BeEquivalentTo("Plain", "Secure", "Mx");
            File.Exists(Path.Combine(data.Path, "selfsigned-certificate.pfx")).Should().BeTrue();
            logs.Entries.Should().Contain(e => e.EventId.Id == 1201 && e.Message.Contains("mail.test", StringComparison.Ordinal));
            await using (var mx = await LineClient.ConnectAsync(listeners.Single(l => l.Options.Name == "Mx").EndPoint!))
            {
                (await mx.ReadLineAsync()).Should().Be("220 mail.test ESMTP MailHost ready", "the host registers SMTP");
            }

            var secure = listeners.Single(l => l.Options.Name == "Secure");
            await using var tlsClient = await LineClient.ConnectAsync(secure.EndPoint!);
            var ssl = new System.Net.Security.SslStream(tlsClient.Stream);
            await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
            {
                TargetHost = "mail.test",
#pragma warning disable CA5359 // The generated certificate is checked by subject below, not by trust.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            }).WaitAsync(TimeSpan.FromSeconds(15));
            ssl.RemoteCertificate!.Subject.Should().Be("CN=mail.test");

            var plain = listeners.Single(l => l.Options.Name == "Plain");
            await using var plainClient = await LineClient.ConnectAsync(plain.EndPoint!);
            await plainClient.SendAsync("a CAPABILITY\r\n");
            (await plainClient.ReadLineAsync()).Should().StartWith("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Configuration_files_are_not_watched_because_the_data_directory_lives_under_the_content_root()
    {
        using var data = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(data.Path, "appsettings.json"), """{ "MailHost": { "Hostname": "mail.test" } }""");
        await using var app = BuildHost(data, new CapturingLoggerProvider());
        var files = ((Microsoft.Extensions.Configuration.IConfigurationRoot)app.Configuration).Providers
            .OfType<Microsoft.Extensions.Configuration.FileConfigurationProvider>()
            .ToList();
        files.Should().NotBeEmpty();
        files.Should().OnlyContain(p => !p.Source.ReloadOnChange, "a watcher over the content root would wake on every store write");
    }

    [Fact]
    public void A_bad_endpoint_stops_the_build_with_the_key_named()
    {
        using var data = new TempDirectory();
        var logs = new CapturingLoggerProvider();

        var build = () => BuildHost(data, logs, "--MailHost:Endpoints:Imap:Url=imap://*:143", "--MailHost:Endpoints:Imap:Tls=Sometimes");

        build.Should().Throw<MailHostConfigurationException>().Which.Message.Should().StartWith("MailHost:Endpoints:Imap:Tls:");
    }

    [Theory]
    [InlineData("--MailHost:Store:Provider=Oracle", "MailHost:Store:Provider: 'Oracle' is not a store")]
    [InlineData("--MailHost:Store:Provider=Postgres", "ConnectionStrings:MailHost: the PostgreSQL store needs a connection string")]
    public void A_wrong_store_setting_stops_the_build_with_the_key_named(string setting, string expected)
    {
        using var data = new TempDirectory();
        var logs = new CapturingLoggerProvider();

        var build = () => BuildHost(data, logs, "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0", setting);

        build.Should().Throw<MailHostConfigurationException>().Which.Message.Should().StartWith(expected);
    }

    [Fact]
    public void A_malformed_postgres_connection_string_is_named_without_its_password()
    {
        using var data = new TempDirectory();
        var logs = new CapturingLoggerProvider();

        var build = () => BuildHost(data, logs, "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0", "--MailHost:Store:Provider=Postgres", "--ConnectionStrings:MailHost=Host=db;Password=hunter2;Colour=blue");

        var error = build.Should().Throw<MailHostConfigurationException>().Which;
        error.Message.Should().StartWith("ConnectionStrings:MailHost: not a valid PostgreSQL connection string");
        error.Message.Should().NotContain("hunter2");
    }

    [Fact]
    public async Task A_postgres_database_that_cannot_be_reached_stops_the_start()
    {
        using var data = new TempDirectory();

        var exit = await MailHostServer.RunAsync(
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
            "--MailHost:Store:Provider=Postgres",
            "--ConnectionStrings:MailHost=Host=" + Path.Combine(data.Path, "no-such-socket-directory") + ";Username=mailhost;Timeout=3",
        ]).WaitAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(3, "a store that cannot be used is a configuration error");
    }

    [Fact]
    public void A_missing_certificate_file_is_named()
    {
        using var data = new TempDirectory();
        var logs = new CapturingLoggerProvider();

        var build = () => BuildHost(data, logs, "--MailHost:Endpoints:S:Url=imaps://127.0.0.1:0", "--MailHost:Certificate:Path=" + Path.Combine(data.Path, "nope.pem"));

        build.Should().Throw<MailHostConfigurationException>().Which.Message.Should().StartWith("MailHost:Certificate:Path: the file");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_configured_PEM_or_PFX_certificate_is_served(bool pfx)
    {
        using var data = new TempDirectory();
        using var certificate = MailCertificateProvider.CreateSelfSigned("configured.test");
        string[] certificateArgs;
        if (pfx)
        {
            var path = Path.Combine(data.Path, "server.pfx");
            await File.WriteAllBytesAsync(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "pfx-pw"));
            certificateArgs = ["--MailHost:Certificate:Path=" + path, "--MailHost:Certificate:Password=pfx-pw"];
        }
        else
        {
            var certPath = Path.Combine(data.Path, "cert.pem");
            var keyPath = Path.Combine(data.Path, "key.pem");
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(certificate)!.ExportPkcs8PrivateKeyPem());
            certificateArgs = ["--MailHost:Certificate:Path=" + certPath, "--MailHost:Certificate:KeyPath=" + keyPath];
        }

        var logs = new CapturingLoggerProvider();
        await using var app = BuildHost(data, logs, ["--MailHost:Endpoints:S:Url=pop3s://127.0.0.1:0", .. certificateArgs]);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var listener = app.Services.GetRequiredService<MailListenerRegistry>().Listeners.Single();
            await using var client = await LineClient.ConnectAsync(listener.EndPoint!);
            var ssl = new System.Net.Security.SslStream(client.Stream);
            await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
            {
                TargetHost = "configured.test",
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString(),
            }).WaitAsync(TimeSpan.FromSeconds(15));

            ssl.RemoteCertificate!.Subject.Should().Be("CN=configured.test");
            File.Exists(Path.Combine(data.Path, "selfsigned-certificate.pfx")).Should().BeFalse();
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
