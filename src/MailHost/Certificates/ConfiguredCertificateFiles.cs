using MailHost.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Certificates;

/// <summary>
/// Puts the certificates of <c>MailHost:Certificate</c> and <c>MailHost:Certificates</c> into the
/// <see cref="ServerCertificateStore"/> and keeps them current. At start a certificate that cannot serve stops the
/// host with the key named. Afterwards, <see cref="Poll"/> reads every file again: changed contents that can serve
/// replace the certificate for new handshakes; contents that cannot (a bad PEM, a key of another certificate, an
/// expired certificate, a file missing mid-renewal) leave the served certificate in place and are logged once per
/// version, so a renewal that is still being written is retried on the next poll without a flood of warnings.
/// </summary>
internal sealed class ConfiguredCertificateFiles(
    IOptions<MailHostOptions> options, ServerCertificateStore store, MailCertificateProvider selfSigned, TimeProvider time, ILogger<ConfiguredCertificateFiles> logger)
{
    private readonly Lock _lock = new();
    private List<WatchedFile>? _watched;

    /// <summary>Whether <see cref="EnsureLoaded"/> has run: polling before it would load what start-up has not checked.</summary>
    public bool IsLoaded
    {
        get
        {
            lock (_lock)
            {
                return _watched is not null;
            }
        }
    }

    /// <summary>
    /// Loads the configured certificates into the store, once; without any, the generated self-signed certificate
    /// becomes the default.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A configured certificate is missing, unreadable or cannot serve.</exception>
    public void EnsureLoaded()
    {
        lock (_lock)
        {
            if (_watched is not null)
            {
                return;
            }

            var sources = CertificateFileSource.From(options.Value);
            var watched = new List<WatchedFile>();
            foreach (var source in sources)
            {
                var (entry, version) = LoadAtStart(source, time.GetUtcNow());
                store.Set(entry);
                watched.Add(new WatchedFile(source) { ServedVersion = version });
            }

            if (sources.Count == 0)
            {
                store.Set(CertificateEntry.Create(IServerCertificateRegistry.DefaultName, CertificateEntry.GeneratedOrigin, selfSigned.GetCertificate(), intermediates: null));
            }

            _watched = watched;
        }
    }

    /// <summary>Reads every configured file again and serves what changed and can serve (see the class remarks).</summary>
    public void Poll()
    {
        lock (_lock)
        {
            foreach (var file in _watched ?? [])
            {
                Check(file);
            }
        }
    }

    private void Check(WatchedFile file)
    {
        var content = CertificateFileContent.TryRead(file.Source, out var readError);
        var version = content?.Version ?? "unreadable: " + readError;
        if (version == file.ServedVersion || version == file.RejectedVersion)
        {
            return;
        }

        CertificateEntry? entry = null;
        var error = readError;
        if (content is not null)
        {
            entry = CertificateFileParser.TryParse(file.Source, content, time.GetUtcNow(), out error);
        }

        if (entry is null)
        {
            file.RejectedVersion = version;
            CertificateLog.NotLoaded(logger, file.Source.Name, file.Source.Options.Path!, error ?? "unknown");
            return;
        }

        file.ServedVersion = version;
        file.RejectedVersion = null;
        store.Set(entry);
    }

    private static (CertificateEntry Entry, string Version) LoadAtStart(CertificateFileSource source, DateTimeOffset now)
    {
        var path = source.Options.Path;
        var keyPath = source.Options.KeyPath;
        if (!File.Exists(path))
        {
            var remedy = source.Name == IServerCertificateRegistry.DefaultName
                ? $"Fix the path, or remove {source.ConfigurationKey} to use a generated self-signed certificate."
                : $"Fix the path, or remove {source.ConfigurationKey}.";
            throw MailHostConfigurationException.For(source.ConfigurationKey + ":Path", $"the file '{path}' does not exist. {remedy}");
        }

        if (!string.IsNullOrWhiteSpace(keyPath) && !File.Exists(keyPath))
        {
            throw MailHostConfigurationException.For(source.ConfigurationKey + ":KeyPath", $"the file '{keyPath}' does not exist.");
        }

        var content = CertificateFileContent.TryRead(source, out var readError)
            ?? throw MailHostConfigurationException.For(source.ConfigurationKey + ":Path", $"cannot read '{path}': {readError}.");
        var entry = CertificateFileParser.TryParse(source, content, now, out var error)
            ?? throw MailHostConfigurationException.For(
                source.ConfigurationKey + ":Path",
                $"cannot use the certificate '{path}': {error}. Give a PEM certificate with {source.ConfigurationKey}:KeyPath, or a PFX file with {source.ConfigurationKey}:Password.");
        return (entry, content.Version);
    }

    /// <summary>A configured certificate and the versions of its files last served and last refused.</summary>
    private sealed class WatchedFile(CertificateFileSource source)
    {
        public CertificateFileSource Source { get; } = source;

        public string? ServedVersion { get; set; }

        public string? RejectedVersion { get; set; }
    }
}
