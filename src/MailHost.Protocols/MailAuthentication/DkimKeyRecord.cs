namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// A DKIM key record (RFC 6376 §3.6.1) from the TXT record at <c>selector._domainkey.domain</c>. The key bytes are
/// decoded but not interpreted: <c>k=rsa</c> holds a DER SubjectPublicKeyInfo (or RSAPublicKey), <c>k=ed25519</c>
/// the 32 raw octets (RFC 8463 §4.2).
/// </summary>
public sealed record DkimKeyRecord
{
    /// <summary>The key type (<c>k=</c>), lower case; <c>rsa</c> when absent.</summary>
    public string KeyType { get; init; } = "rsa";

    /// <summary>The decoded public key (<c>p=</c>); empty when the key was revoked (§3.6.1: "An empty value means that this public key has been revoked").</summary>
    public ReadOnlyMemory<byte> PublicKey { get; init; }

    /// <summary>Whether <c>p=</c> was empty: the key is revoked.</summary>
    public bool IsRevoked => PublicKey.IsEmpty;

    /// <summary>The acceptable hash algorithms (<c>h=</c>), lower case, or <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? HashAlgorithms { get; init; }

    /// <summary>The service types (<c>s=</c>), lower case; <c>*</c> when absent.</summary>
    public IReadOnlyList<string> ServiceTypes { get; init; } = ["*"];

    /// <summary>The <c>t=y</c> flag: the domain is testing DKIM.</summary>
    public bool IsTesting { get; init; }

    /// <summary>The <c>t=s</c> flag: the <c>i=</c> domain must equal <c>d=</c>, not be a subdomain of it.</summary>
    public bool IsStrict { get; init; }

    /// <summary>Whether this key may verify email (its service types include <c>email</c> or <c>*</c>).</summary>
    public bool AllowsEmail => ServiceTypes.Any(s => s is "*" or "email");

    /// <summary>Whether this key accepts <paramref name="hashAlgorithm"/> (e.g. <c>sha256</c>).</summary>
    public bool AcceptsHash(string hashAlgorithm) => HashAlgorithms is null || HashAlgorithms.Contains(hashAlgorithm, StringComparer.Ordinal);

    /// <summary>
    /// Parses a key record. A <c>v=</c> tag, when present, must come first and be <c>DKIM1</c>; <c>p=</c> is required
    /// and must be base64 (or empty for a revoked key).
    /// </summary>
    public static bool TryParse(string txt, out DkimKeyRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(txt);
        record = null;
        if (!DkimTagList.TryParse(txt, out var tags, out error))
        {
            return false;
        }

        var version = DkimTagList.Find(tags, "v");
        if (version is not null && (tags[0].Key != "v" || version != "DKIM1"))
        {
            error = "v= must come first and be DKIM1";
            return false;
        }

        var p = DkimTagList.Find(tags, "p");
        if (p is null)
        {
            error = "the required tag 'p=' is missing";
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(DkimTagList.RemoveWhiteSpace(p));
        }
        catch (FormatException)
        {
            error = "p= is not base64";
            return false;
        }

        static IReadOnlyList<string> List(string value)
            => [.. value.Split(':').Select(v => v.Trim(' ', '\t', '\r', '\n').ToLowerInvariant()).Where(v => v.Length > 0)];

        var flags = DkimTagList.Find(tags, "t") is { } t ? List(t) : [];
        record = new DkimKeyRecord
        {
            KeyType = DkimTagList.Find(tags, "k")?.ToLowerInvariant() ?? "rsa",
            PublicKey = key,
            HashAlgorithms = DkimTagList.Find(tags, "h") is { } h ? List(h) : null,
            ServiceTypes = DkimTagList.Find(tags, "s") is { } s ? List(s) : ["*"],
            IsTesting = flags.Contains("y"),
            IsStrict = flags.Contains("s"),
        };
        error = null;
        return true;
    }
}
