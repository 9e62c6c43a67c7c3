using MailHost.Storage;

namespace MailHost.Dkim;

/// <summary>
/// Where DKIM signing keys live: one active key per domain. Every host that sends for a domain reads the same store,
/// so an implementation keeps its keys in shared storage (a database), never only in process memory, and a key saved
/// by one process (the admin command line) is used by the next message any sender signs.
/// </summary>
public interface IDkimKeyStore
{
    /// <summary>
    /// The active key of <paramref name="domain"/> (compared in canonical form, so <c>Example.COM.</c> finds the key
    /// of <c>example.com</c>), or <see langword="null"/> when the domain has none or is not a valid domain.
    /// </summary>
    /// <remarks>Throws only when the storage itself fails (I/O, a database error).</remarks>
    ValueTask<DkimKey?> GetAsync(string domain, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="key"/> the active key of its domain, replacing any earlier key, durably. Returns
    /// whether an earlier key was replaced; fails with <see cref="StoreErrorCode.InvalidArgument"/> when the domain is
    /// not a valid domain or the selector is not valid (<see cref="DkimKeys.IsValidSelector"/>), and with
    /// <see cref="StoreErrorCode.Unavailable"/> when the storage failed. Key material is not checked here.
    /// </summary>
    ValueTask<StoreResult<bool>> SaveAsync(DkimKey key, CancellationToken cancellationToken);
}
