using System.Security.Cryptography.X509Certificates;
using MailHost.Certificates;
using MailHost.Hosting;
using MailHost.Tests.Logins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Certificates;

/// <summary>
/// Configured certificate files are polled on a <see cref="TimeProvider"/> timer: a changed file that can serve is
/// served from the next handshake, one that cannot leaves the old certificate in place and is logged with its reason.
/// </summary>
public sealed class CertificateReloadTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger<ConfiguredCertificateFiles> _fileLog = new();
    private readonly ListLogger<CertificateReloadService> _reloadLog = new();
    private readonly MailHostOptions _options = new() { CertificateReloadInterval = Interval };
    private readonly ServerCertificateStore _store;
    private readonly ConfiguredCertificateFiles _files;
    private readonly CertificateReloadService _reload;

    public CertificateReloadTests()
    {
        Directory.CreateDirectory(_directory);
        _options.DataDirectory = _directory;
        _store = new ServerCertificateStore(_time, new ListLogger<ServerCertificateStore>());
        var selfSigned = new MailCertificateProvider(Options.Create(_options), new ListLogger<MailCertificateProvider>());
        _files = new ConfiguredCertificateFiles(Options.Create(_options), _store, selfSigned, _time, _fileLog);
        _reload = new CertificateReloadService(_files, _store, Options.Create(_options), _time, _reloadLog);
    }

    private string CertPath => Path.Combine(_directory, "fullchain.pem");

    private string KeyPath => Path.Combine(_directory, "privkey.pem");

    private X509Certificate2 NewCertificate(params string[] names) => TestCertificates.Create(_time.GetUtcNow(), names);

    private async Task<X509Certificate2> StartWithAsync(X509Certificate2 first)
    {
        TestCertificates.WritePem(first, CertPath, KeyPath);
        _options.Certificate = new MailCertificateOptions { Path = CertPath, KeyPath = KeyPath };
        _files.EnsureLoaded();
        await _reload.StartAsync(CancellationToken.None);
        return first;
    }

    private string? ServedThumbprint(string? serverName = "mail.example.com") => _store.SelectCertificate(serverName)?.Thumbprint;

    [Fact]
    public async Task A_replaced_file_is_served_after_the_next_poll()
    {
        var first = await StartWithAsync(NewCertificate("mail.example.com"));
        var renewed = NewCertificate("mail.example.com");

        TestCertificates.WritePem(renewed, CertPath, KeyPath);
        ServedThumbprint().Should().Be(first.Thumbprint, "nothing is read between polls");
        _time.Advance(Interval);

        ServedThumbprint().Should().Be(renewed.Thumbprint);
        ServedThumbprint(null).Should().Be(renewed.Thumbprint, "the default certificate was the one replaced");
    }

    [Fact]
    public async Task A_file_swapped_through_a_symlink_is_served()
    {
        // As a Kubernetes secret volume or certbot's live/ directory: the configured path is a link, and a renewal
        // points it at new files with an atomic rename; the link's target changes, its own time need not.
        var first = NewCertificate("mail.example.com");
        var second = NewCertificate("mail.example.com");
        foreach (var (version, certificate) in new[] { ("v1", first), ("v2", second) })
        {
            Directory.CreateDirectory(Path.Combine(_directory, version));
            TestCertificates.WritePem(certificate, Path.Combine(_directory, version, "tls.crt"), Path.Combine(_directory, version, "tls.key"));
        }

        var certLink = Path.Combine(_directory, "tls.crt");
        var keyLink = Path.Combine(_directory, "tls.key");
        File.CreateSymbolicLink(certLink, Path.Combine("v1", "tls.crt"));
        File.CreateSymbolicLink(keyLink, Path.Combine("v1", "tls.key"));
        _options.Certificate = new MailCertificateOptions { Path = certLink, KeyPath = keyLink };
        _files.EnsureLoaded();
        await _reload.StartAsync(CancellationToken.None);
        ServedThumbprint().Should().Be(first.Thumbprint);

        foreach (var (link, file) in new[] { (certLink, "tls.crt"), (keyLink, "tls.key") })
        {
            File.CreateSymbolicLink(link + ".new", Path.Combine("v2", file));
            File.Move(link + ".new", link, overwrite: true);
        }

        _time.Advance(Interval);

        ServedThumbprint().Should().Be(second.Thumbprint);
    }

    [Theory]
    [InlineData("bad-pem")]
    [InlineData("key-of-another-certificate")]
    [InlineData("expired")]
    [InlineData("missing")]
    public async Task A_broken_file_keeps_the_old_certificate_and_says_why(string breakage)
    {
        var first = await StartWithAsync(NewCertificate("mail.example.com"));
        var expectedReason = Break(breakage);

        _time.Advance(Interval);

        ServedThumbprint().Should().Be(first.Thumbprint);
        var warning = _fileLog.Entries.Should().ContainSingle(e => e.Id.Id == 1204).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Text.Should().Contain(CertPath).And.Contain(expectedReason);
    }

    [Fact]
    public async Task A_broken_file_is_logged_once_and_its_repair_is_served()
    {
        var first = await StartWithAsync(NewCertificate("mail.example.com"));
        var renewed = NewCertificate("mail.example.com");

        // Half a renewal: the new certificate next to the old key.
        TestCertificates.Replace(CertPath, renewed.ExportCertificatePem());
        _time.Advance(Interval);
        _time.Advance(Interval);
        ServedThumbprint().Should().Be(first.Thumbprint);
        _fileLog.Entries.Count(e => e.Id.Id == 1204).Should().Be(1, "the same broken contents are not reported every poll");

        TestCertificates.Replace(KeyPath, TestCertificates.KeyPem(renewed));
        _time.Advance(Interval);

        ServedThumbprint().Should().Be(renewed.Thumbprint);
    }

    [Fact]
    public async Task Named_certificates_reload_independently_of_the_default()
    {
        var a = NewCertificate("mail.a.example");
        var b = NewCertificate("mail.b.example");
        TestCertificates.WritePem(b, Path.Combine(_directory, "b.pem"), Path.Combine(_directory, "b.key"));
        _options.Certificates["b"] = new MailCertificateOptions { Path = Path.Combine(_directory, "b.pem"), KeyPath = Path.Combine(_directory, "b.key") };
        await StartWithAsync(a);
        var b2 = NewCertificate("mail.b.example", "imap.b.example");

        TestCertificates.WritePem(b2, Path.Combine(_directory, "b.pem"), Path.Combine(_directory, "b.key"));
        _time.Advance(Interval);

        ServedThumbprint("mail.a.example").Should().Be(a.Thumbprint);
        ServedThumbprint("imap.b.example").Should().Be(b2.Thumbprint);
        ServedThumbprint(null).Should().Be(a.Thumbprint);
    }

    [Fact]
    public async Task A_certificate_expiring_within_14_days_is_warned_about_once_a_day()
    {
        var now = _time.GetUtcNow();
        var soon = TestCertificates.Create("CN=mail.example.com", ["mail.example.com"], now.AddDays(-60), now.AddDays(20));
        await StartWithAsync(soon);
        _reloadLog.Entries.Should().NotContain(e => e.Id.Id == 1205);

        _time.Advance(TimeSpan.FromDays(6) + Interval);
        _reloadLog.Entries.Count(e => e.Id.Id == 1205).Should().Be(1);
        _time.Advance(TimeSpan.FromHours(1));
        _reloadLog.Entries.Count(e => e.Id.Id == 1205).Should().Be(1, "the warning repeats daily, not every poll");
        _time.Advance(TimeSpan.FromDays(1));

        _reloadLog.Entries.Count(e => e.Id.Id == 1205).Should().Be(2);
        _reloadLog.Entries.First(e => e.Id.Id == 1205).Text.Should().Contain("CN=mail.example.com").And.Contain(soon.Thumbprint);
    }

    [Fact]
    public async Task A_zero_interval_turns_reloading_off()
    {
        _options.CertificateReloadInterval = TimeSpan.Zero;
        var first = await StartWithAsync(NewCertificate("mail.example.com"));

        TestCertificates.WritePem(NewCertificate("mail.example.com"), CertPath, KeyPath);
        _time.Advance(TimeSpan.FromHours(2));

        ServedThumbprint().Should().Be(first.Thumbprint);
    }

    /// <summary>Breaks the certificate files as <paramref name="breakage"/> says; returns a part of the reason to expect.</summary>
    private string Break(string breakage)
    {
        var now = _time.GetUtcNow();
        switch (breakage)
        {
            case "bad-pem":
                TestCertificates.Replace(CertPath, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
                return "not a readable certificate";
            case "key-of-another-certificate":
                TestCertificates.Replace(KeyPath, TestCertificates.KeyPem(NewCertificate("other.example")));
                return "not a readable certificate";
            case "expired":
                TestCertificates.WritePem(TestCertificates.Create("CN=mail.example.com", ["mail.example.com"], now.AddDays(-90), now.AddMinutes(-1)), CertPath, KeyPath);
                return "expired";
            default:
                File.Delete(CertPath);
                return "cannot read it";
        }
    }

    public void Dispose()
    {
        _reload.Dispose();
        _store.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
