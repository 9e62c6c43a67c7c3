using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts;

namespace MailHost.Logins;

/// <summary>
/// The successful password checks of the last <see cref="VerificationCacheOptions.Lifetime"/>, as keyed hashes
/// (see <see cref="VerificationCacheOptions"/>). Thread-safe; at most <see cref="VerificationCacheOptions.MaxEntries"/>
/// entries, the oldest dropped first.
/// </summary>
internal sealed class PasswordVerificationCache
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeSpan _lifetime;
    private readonly int _maxEntries;
    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, DateTimeOffset> _expiries = [];
    private readonly Queue<(UInt128 Key, DateTimeOffset Expires)> _order = new();

    public PasswordVerificationCache(VerificationCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _lifetime = options.Lifetime;
        _maxEntries = options.MaxEntries;
    }

    /// <summary>Whether the cache is on (a positive lifetime).</summary>
    public bool Enabled => _lifetime > TimeSpan.Zero;

    /// <summary>Entries held now, expired ones included until they are swept.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _expiries.Count;
            }
        }
    }

    /// <summary>
    /// The entry key for one check: HMAC-SHA-256 under the process key of the account name, the record's text form
    /// (so a new password, salt or iteration count gives a new key) and the password, cut to 128 bits.
    /// </summary>
    public UInt128 KeyFor(string accountName, PasswordRecord record, string password)
    {
        ArgumentNullException.ThrowIfNull(accountName);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(password);

        // Neither the canonical account name nor the record text holds a NUL, so the fields cannot run together.
        var input = Encoding.UTF8.GetBytes(accountName + "\0" + record + "\0" + password);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            HMACSHA256.HashData(_key, input, mac);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(mac);
        }
    }

    /// <summary>Whether <paramref name="key"/> was remembered and has not expired.</summary>
    public bool Contains(UInt128 key, DateTimeOffset now)
    {
        if (!Enabled)
        {
            return false;
        }

        lock (_lock)
        {
            return _expiries.TryGetValue(key, out var expires) && expires > now;
        }
    }

    /// <summary>Remembers a successful check until now plus the lifetime.</summary>
    public void Add(UInt128 key, DateTimeOffset now)
    {
        if (!Enabled)
        {
            return;
        }

        var expires = now + _lifetime;
        lock (_lock)
        {
            // Entries expire in the order they were added (one lifetime for all), so the queue's head is the oldest.
            while (_order.TryPeek(out var head) && (head.Expires <= now || _expiries.Count >= _maxEntries))
            {
                _order.Dequeue();
                if (_expiries.TryGetValue(head.Key, out var current) && current == head.Expires)
                {
                    _expiries.Remove(head.Key);
                }
            }

            _expiries[key] = expires;
            _order.Enqueue((key, expires));
        }
    }
}
