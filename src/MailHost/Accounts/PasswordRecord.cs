using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailHost.Accounts;

/// <summary>
/// A stored password in the SCRAM form of RFC 5802 / RFC 7677: salt, iteration count, StoredKey and ServerKey,
/// derived with PBKDF2-HMAC-SHA-256. The plain password is never kept. PLAIN and LOGIN verify a password by
/// deriving the same keys; SCRAM-SHA-256 uses the keys directly, so one record serves every mechanism.
/// </summary>
/// <remarks>
/// Text form (stable, stored by directories): <c>SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;</c>,
/// each binary field in base64. It is the same layout PostgreSQL uses for its SCRAM verifiers.
/// </remarks>
public sealed class PasswordRecord
{
    /// <summary>The scheme prefix of the text form.</summary>
    public const string Scheme = "SCRAM-SHA-256";

    /// <summary>
    /// Default PBKDF2 iteration count for new records: 600,000, OWASP's figure for PBKDF2-HMAC-SHA-256 (Password
    /// Storage Cheat Sheet, 2023), so that a stolen account database costs as much to attack as the record format
    /// allows. RFC 7677 §4 only sets a floor of 4096. The cost falls on the server once per cold PLAIN or LOGIN
    /// check (the verification cache absorbs the repeated logins of mail clients) and on the client for SCRAM.
    /// </summary>
    public const int DefaultIterations = 600_000;

    /// <summary>The lowest iteration count accepted when creating or parsing a record (RFC 7677 §4).</summary>
    public const int MinimumIterations = 4096;

    private const int SaltLength = 16;
    private const int KeyLength = 32;

    private PasswordRecord(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey)
    {
        Iterations = iterations;
        Salt = salt;
        StoredKey = storedKey;
        ServerKey = serverKey;
    }

    /// <summary>PBKDF2 iteration count (SCRAM "i").</summary>
    public int Iterations { get; }

    /// <summary>The random salt (SCRAM "s").</summary>
    public ReadOnlyMemory<byte> Salt { get; }

    /// <summary>H(HMAC(SaltedPassword, "Client Key")).</summary>
    public ReadOnlyMemory<byte> StoredKey { get; }

    /// <summary>HMAC(SaltedPassword, "Server Key").</summary>
    public ReadOnlyMemory<byte> ServerKey { get; }

    /// <summary>Derives a new record for <paramref name="password"/> with a fresh random salt.</summary>
    /// <exception cref="ArgumentException">The password is empty or the iteration count is below the minimum.</exception>
    public static PasswordRecord Create(string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinimumIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        return FromSaltedPassword(iterations, salt, SaltPassword(password, salt, iterations));
    }

    /// <summary>Builds a record from a SaltedPassword (SCRAM "Hi(password, salt, i)").</summary>
    public static PasswordRecord FromSaltedPassword(int iterations, byte[] salt, ReadOnlySpan<byte> saltedPassword)
    {
        ArgumentNullException.ThrowIfNull(salt);
        Span<byte> clientKey = stackalloc byte[KeyLength];
        HMACSHA256.HashData(saltedPassword, "Client Key"u8, clientKey);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(saltedPassword, "Server Key"u8);
        CryptographicOperations.ZeroMemory(clientKey);
        return new PasswordRecord(iterations, salt, storedKey, serverKey);
    }

    /// <summary>
    /// Checks a plain password against the record in constant time with respect to the stored keys.
    /// The cost is one PBKDF2 derivation with <see cref="Iterations"/> rounds.
    /// </summary>
    public bool Verify(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var saltedPassword = SaltPassword(password, Salt.Span, Iterations);
        Span<byte> clientKey = stackalloc byte[KeyLength];
        Span<byte> storedKey = stackalloc byte[KeyLength];
        HMACSHA256.HashData(saltedPassword, "Client Key"u8, clientKey);
        SHA256.HashData(clientKey, storedKey);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        return CryptographicOperations.FixedTimeEquals(storedKey, StoredKey.Span);
    }

    /// <summary>SCRAM Hi(): PBKDF2-HMAC-SHA-256 of the UTF-8 password (RFC 5802 §2.2).</summary>
    /// <remarks>RFC 5802 asks for SASLprep; we normalise to NFC, which agrees with SASLprep for every
    /// password that SASLprep would not reject or map.</remarks>
    public static byte[] SaltPassword(string password, ReadOnlySpan<byte> salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        var bytes = Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormC));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, HashAlgorithmName.SHA256, KeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The stable text form (see the type remarks).</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Scheme}${Iterations}:{Convert.ToBase64String(Salt.Span)}${Convert.ToBase64String(StoredKey.Span)}:{Convert.ToBase64String(ServerKey.Span)}");

    /// <summary>Parses the text form; returns <see langword="false"/> for anything malformed.</summary>
    public static bool TryParse(string? text, out PasswordRecord? record)
    {
        record = null;
        if (text is null || !text.StartsWith(Scheme + "$", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = text[(Scheme.Length + 1)..].Split('$');
        if (parts.Length != 2)
        {
            return false;
        }

        var first = parts[0].Split(':');
        var second = parts[1].Split(':');
        if (first.Length != 2 || second.Length != 2
            || !int.TryParse(first[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < MinimumIterations
            || !TryDecode(first[1], out var salt) || salt.Length == 0
            || !TryDecode(second[0], out var storedKey) || storedKey.Length != KeyLength
            || !TryDecode(second[1], out var serverKey) || serverKey.Length != KeyLength)
        {
            return false;
        }

        record = new PasswordRecord(iterations, salt, storedKey, serverKey);
        return true;
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
