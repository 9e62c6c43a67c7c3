using System.Collections.Concurrent;
using MailHost.Accounts;
using MailHost.Storage;

namespace MailHost.Dkim;

/// <summary>
/// DKIM keys in process memory, for tests and for embedders that load their keys at start-up. Keys do not survive
/// the process and are not shared with other hosts; production hosts use a database-backed store.
/// </summary>
internal sealed class InMemoryDkimKeyStore : IDkimKeyStore
{
    private readonly ConcurrentDictionary<string, DkimKey> _keys = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<DkimKey?> GetAsync(string domain, CancellationToken cancellationToken)
        => ValueTask.FromResult(MailAddressCanonicalizer.CanonicalizeDomain(domain) is { } canonical && _keys.TryGetValue(canonical, out var key) ? key : null);

    /// <inheritdoc />
    public ValueTask<StoreResult<bool>> SaveAsync(DkimKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!DkimKeys.TryNormalize(key, out var normalized, out var problem))
        {
            return ValueTask.FromResult(StoreResult<bool>.Fail(StoreErrorCode.InvalidArgument, problem));
        }

        var replaced = false;
        _keys.AddOrUpdate(normalized.Domain, normalized, (_, _) =>
        {
            replaced = true;
            return normalized;
        });
        return ValueTask.FromResult(StoreResult<bool>.Success(replaced));
    }
}
