namespace MailHost.Accounts;

/// <summary>
/// What a web administration console and an HTTP API need from the directory beyond
/// <see cref="IAccountAdministration"/>: who is an administrator, their TOTP second factor, API keys for automation,
/// and the audit log of administrative changes.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Account names are put through <see cref="MailAddressCanonicalizer.CanonicalizeAccountName"/> first; a name
/// that has none is refused with <see cref="AccountAdministrationError.InvalidName"/> (or, for the queries, treated as
/// an unknown account).</item>
/// <item>Refusals are results, not exceptions; exceptions mean the store itself failed, or (as documented per member)
/// the caller passed something no request may contain. A successful change is durable when the call returns.</item>
/// <item>Secret material (TOTP secrets, API key tokens) never appears in result messages. An API key's secret is not
/// stored at all: only its SHA-256 hash.</item>
/// <item>The directory records nothing in the audit log by itself: whoever makes a change appends its entry with
/// <see cref="AppendAuditAsync"/>, naming the actor the directory cannot know.</item>
/// <item>Implementations are safe for concurrent use, also from several processes sharing one directory.</item>
/// </list>
/// </remarks>
public interface IAdministrationDirectory
{
    /// <summary>Grants (<paramref name="administrator"/> <see langword="true"/>) or revokes the administrator role of an account.</summary>
    /// <returns>Success (also when the account already had that role), or <see cref="AccountAdministrationError.UnknownAccount"/>
    /// or <see cref="AccountAdministrationError.InvalidName"/>.</returns>
    ValueTask<AccountAdministrationResult> SetAdministratorAsync(string accountName, bool administrator, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the account exists, is enabled and holds the administrator role. <see langword="false"/> for a name that
    /// is unknown or cannot be an account name; also for a disabled administrator, so that disabling one ends a
    /// console session that checks this on each request.
    /// </summary>
    ValueTask<bool> IsAdministratorAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>
    /// Sets up (or replaces) the account's TOTP second factor (RFC 6238) with <paramref name="secret"/>, the raw shared
    /// key, or turns it off with <see langword="null"/>. Either way the record of used time steps starts afresh.
    /// </summary>
    /// <param name="accountName">The account.</param>
    /// <param name="secret">
    /// The shared key: 20 random bytes (160 bits, the length RFC 4226 §4 recommends for HMAC-SHA-1) as
    /// <c>users totp --enable</c> makes it; 16 to 64 bytes are accepted. <see langword="null"/> turns TOTP off.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Success, or <see cref="AccountAdministrationError.UnknownAccount"/> or <see cref="AccountAdministrationError.InvalidName"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is shorter than 16 or longer than 64 bytes.</exception>
    ValueTask<AccountAdministrationResult> SetTotpSecretAsync(string accountName, byte[]? secret, CancellationToken cancellationToken);

    /// <summary>The account's TOTP key; <see langword="null"/> when TOTP is off or there is no such account.</summary>
    ValueTask<byte[]?> GetTotpSecretAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>
    /// Replay protection for TOTP codes (RFC 6238 §5.2: a verified code must not be accepted a second time): records
    /// <paramref name="timeStep"/> as used when it is later than every step recorded for the account, in one atomic
    /// conditional write, so of two logins racing with the same code (on any host) exactly one wins.
    /// </summary>
    /// <param name="accountName">The account whose code was verified.</param>
    /// <param name="timeStep">The time step of the verified code, <c>floor(unix seconds / 30)</c> for the usual period.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <see langword="true"/> when the step was recorded (accept the code); <see langword="false"/> when that step or a
    /// later one was already used, or the account is unknown or has TOTP off (refuse it).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeStep"/> is negative.</exception>
    ValueTask<bool> TryUseTotpStepAsync(string accountName, long timeStep, CancellationToken cancellationToken);

    /// <summary>
    /// Creates an API key. The token in the result is the only copy of its secret: the directory keeps a SHA-256 hash
    /// of the secret, so a lost token cannot be shown again, only revoked and replaced.
    /// </summary>
    /// <param name="name">What the key is for: 1 to 64 characters, none of them control or format characters.</param>
    /// <param name="scope">What the key may do.</param>
    /// <param name="createdBy">Who creates it (an audit actor); clipped to 320 characters.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not an acceptable key name (a result could not carry
    /// the refusal and the key together; check input first), or <paramref name="scope"/> is not a defined scope.</exception>
    ValueTask<ApiKeyCreated> CreateApiKeyAsync(string name, ApiKeyScope scope, string createdBy, CancellationToken cancellationToken);

    /// <summary>Every API key, revoked ones included, newest first (keys created in the same millisecond in no particular order).</summary>
    ValueTask<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>Revokes an API key; it is never accepted again, and stays listed as revoked.</summary>
    /// <returns><see langword="true"/> when the key was revoked now; <see langword="false"/> when there is no such key or it was already revoked.</returns>
    ValueTask<bool> RevokeApiKeyAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Checks a bearer token. The secret's hash is compared in constant time; a key's id is not secret (it is listed),
    /// so an unknown id may be answered sooner than a wrong secret. A key accepted more than a minute after its last
    /// recorded use has the use recorded: a script calling every second writes once a minute, not on every call.
    /// </summary>
    /// <returns>The key (with <see cref="ApiKeyInfo.LastUsed"/> as now recorded), or <see langword="null"/> for a
    /// malformed token, an unknown or revoked key, or a wrong secret.</returns>
    ValueTask<ApiKeyInfo?> VerifyApiKeyAsync(string token, CancellationToken cancellationToken);

    /// <summary>
    /// Appends one entry to the audit log. Text is clipped to bounded lengths (actor and target 320 characters,
    /// action 64, detail 1,000, remote address 64), and the log keeps the newest 100,000 entries: the older ones are
    /// deleted as new ones come (every hundredth append, so up to 99 more may wait in between).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> or its actor, action or target is <see langword="null"/>.</exception>
    ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> audit entries, the most recently appended first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is negative.</exception>
    ValueTask<IReadOnlyList<AuditEntry>> GetAuditAsync(int maxCount, CancellationToken cancellationToken);
}
