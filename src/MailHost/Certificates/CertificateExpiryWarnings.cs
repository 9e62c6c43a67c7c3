using Microsoft.Extensions.Logging;

namespace MailHost.Certificates;

/// <summary>
/// Warns about served certificates that expire within <see cref="Window"/>: once when first seen so, then once a day,
/// so that an automatic renewal that silently stopped working is noticed while there is time to act (Let's Encrypt
/// renews at 30 days left, so 14 days left means renewal has failed for two weeks).
/// </summary>
internal sealed class CertificateExpiryWarnings(ILogger logger)
{
    /// <summary>How long before expiry the warnings start.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(14);

    private static readonly TimeSpan Repeat = TimeSpan.FromDays(1);

    private readonly Dictionary<string, DateTimeOffset> _lastWarned = new(StringComparer.Ordinal);

    /// <summary>Warns about the certificates of <paramref name="selection"/> that need it at <paramref name="now"/>.</summary>
    public void Check(CertificateSelection selection, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var served = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in selection.Entries)
        {
            // Per name and thumbprint: a renewed certificate that again expires soon is warned about at once.
            var key = entry.Name + "/" + entry.Certificate.Thumbprint;
            served.Add(key);
            var left = entry.NotAfter - now;
            if (left >= Window || (_lastWarned.TryGetValue(key, out var last) && now - last < Repeat))
            {
                continue;
            }

            _lastWarned[key] = now;
            CertificateLog.ExpiresSoon(logger, entry.Name, entry.Certificate.Subject, entry.Certificate.Thumbprint, entry.NotAfter, Math.Round(left.TotalDays, 1));
        }

        foreach (var gone in _lastWarned.Keys.Where(k => !served.Contains(k)).ToList())
        {
            _lastWarned.Remove(gone);
        }
    }
}
