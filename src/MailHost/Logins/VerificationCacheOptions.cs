namespace MailHost.Logins;

/// <summary>
/// How long a successful password check is remembered, so that a mail client's many connections do not each pay
/// the PBKDF2 derivation (bound from <c>MailHost:Auth:VerificationCache</c>). In the spirit of Dovecot's auth cache.
/// </summary>
/// <remarks>
/// An entry is a keyed hash (HMAC-SHA-256 under a random key made when the process starts) of the account name, the
/// stored password record and the password; neither the password nor anything derived from it without that key is
/// kept. A changed password changes the record (a new salt), so the old entry can never match again. Wrong passwords
/// are never remembered. Only PLAIN, LOGIN and POP3 USER/PASS use it: SCRAM never shows the server a password.
/// </remarks>
public sealed class VerificationCacheOptions
{
    /// <summary>
    /// How long after a PBKDF2 check the same password for the same record is accepted without one. Default 5
    /// minutes; <see cref="TimeSpan.Zero"/> turns the cache off. Not extended by use: every entry is checked again
    /// with PBKDF2 at least once per lifetime.
    /// </summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most entries kept; when full, the oldest is dropped. Default 10,000 (about 1 MB).</summary>
    public int MaxEntries { get; set; } = 10_000;
}
