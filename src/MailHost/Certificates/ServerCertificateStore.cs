using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailHost.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Certificates;

/// <summary>
/// The certificates TLS endpoints choose from (<see cref="IServerCertificateRegistry"/>). Readers take the current
/// <see cref="CertificateSelection"/> without a lock; a change builds a new one. A replaced certificate is not disposed:
/// handshakes that picked it a moment earlier, and the connections they opened, still hold it.
/// </summary>
internal sealed class ServerCertificateStore : IServerCertificateRegistry, IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDisposable _metrics;
    private ImmutableDictionary<string, CertificateEntry> _entries = ImmutableDictionary.Create<string, CertificateEntry>(StringComparer.Ordinal);
    private volatile CertificateSelection _selection = CertificateSelection.Empty;

    public ServerCertificateStore(TimeProvider time, ILogger<ServerCertificateStore> logger)
    {
        _time = time;
        _logger = logger;
        _metrics = MailHostMetrics.ObserveCertificateExpiry(MeasureExpiry);
    }

    /// <summary>What is served now.</summary>
    public CertificateSelection Current => _selection;

    /// <summary>The handshake's view: the context for the name a client sent (RFC 6066 §3), or null when nothing is served.</summary>
    public SslStreamCertificateContext? SelectContext(string? serverName) => _selection.Select(serverName)?.Context;

    /// <inheritdoc/>
    public X509Certificate2? SelectCertificate(string? serverName) => _selection.Select(serverName)?.Certificate;

    /// <inheritdoc/>
    public void SetCertificate(string name, X509Certificate2 certificate, X509Certificate2Collection? intermediates = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"The certificate {certificate.Subject} has no private key.", nameof(certificate));
        }

        if (certificate.NotAfter.ToUniversalTime() <= _time.GetUtcNow().UtcDateTime)
        {
            throw new ArgumentException($"The certificate {certificate.Subject} expired on {certificate.NotAfter.ToUniversalTime():u}.", nameof(certificate));
        }

        Set(CertificateEntry.Create(name, "registry", certificate, intermediates));
    }

    /// <summary>Adds or replaces <paramref name="entry"/> under its name, and logs what is served when it changed.</summary>
    public void Set(CertificateEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            var unchanged = _entries.TryGetValue(entry.Name, out var previous) && previous.Certificate.RawDataMemory.Span.SequenceEqual(entry.Certificate.RawDataMemory.Span);
            _entries = _entries.SetItem(entry.Name, entry);
            _selection = CertificateSelection.Build(_entries.Values, IServerCertificateRegistry.DefaultName);
            if (unchanged)
            {
                return;
            }
        }

        CertificateLog.Serving(_logger, entry.Name, entry.Origin, entry.Certificate.Subject, string.Join(",", entry.DnsNames), entry.Certificate.Thumbprint, entry.NotAfter);
    }

    /// <inheritdoc/>
    public bool RemoveCertificate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_lock)
        {
            if (!_entries.ContainsKey(name))
            {
                return false;
            }

            _entries = _entries.Remove(name);
            _selection = CertificateSelection.Build(_entries.Values, IServerCertificateRegistry.DefaultName);
        }

        CertificateLog.Removed(_logger, name);
        return true;
    }

    public void Dispose() => _metrics.Dispose();

    /// <summary>Seconds until each served certificate expires (negative once expired), for <c>mailhost.certificate.expiry</c>.</summary>
    private IEnumerable<Measurement<double>> MeasureExpiry()
    {
        var now = _time.GetUtcNow();
        foreach (var entry in _selection.Entries)
        {
            yield return new Measurement<double>((entry.NotAfter - now).TotalSeconds, new KeyValuePair<string, object?>("name", entry.Name));
        }
    }
}
