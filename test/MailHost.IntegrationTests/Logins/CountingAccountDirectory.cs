using MailHost.Accounts;

namespace MailHost.IntegrationTests.Logins;

/// <summary>An account directory that counts the login-history writes made through it (each a synced write in SQLite).</summary>
internal sealed class CountingAccountDirectory(IAccountDirectory inner) : IAccountDirectory
{
    private int _recordedLogins;

    public IAccountDirectory Inner { get; } = inner;

    public int RecordedLogins => Volatile.Read(ref _recordedLogins);

    public ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken) => Inner.FindByNameAsync(accountName, cancellationToken);

    public ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken) => Inner.FindByAddressAsync(address, cancellationToken);

    public ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken) => Inner.GetPasswordRecordAsync(accountName, cancellationToken);

    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken) => Inner.IsLocalDomainAsync(domain, cancellationToken);

    public ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _recordedLogins);
        return Inner.RecordLoginAsync(record, cancellationToken);
    }

    public ValueTask<bool> ReplacePasswordRecordAsync(string accountName, PasswordRecord expected, PasswordRecord replacement, CancellationToken cancellationToken) =>
        Inner.ReplacePasswordRecordAsync(accountName, expected, replacement, cancellationToken);

    public ValueTask<ReadOnlyMemory<byte>?> GetServerSecretAsync(CancellationToken cancellationToken) => Inner.GetServerSecretAsync(cancellationToken);

    public ValueTask<AppPasswordCredential?> FindAppPasswordAsync(string accountName, ReadOnlyMemory<byte> lookupTag, CancellationToken cancellationToken) =>
        Inner.FindAppPasswordAsync(accountName, lookupTag, cancellationToken);

    public ValueTask RecordAppPasswordUseAsync(string accountName, string id, AppPasswordUse use, CancellationToken cancellationToken) =>
        Inner.RecordAppPasswordUseAsync(accountName, id, use, cancellationToken);
}
