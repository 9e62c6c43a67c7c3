using MailHost.Dns;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MimeKit.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace MailHost.Dkim;

/// <summary>
/// DKIM public keys from DNS TXT records at <c>selector._domainkey.domain</c> (RFC 6376 §3.6.2), for MimeKit's
/// <see cref="DkimVerifier"/>: <c>k=rsa</c> (a DER SubjectPublicKeyInfo, or a bare RSAPublicKey as RFC 6376's text
/// says) and <c>k=ed25519</c> (32 raw octets, RFC 8463 §4.2). One instance serves one message: it remembers the keys
/// it found for that message only, so a key is fetched once per message and never reused for another.
/// </summary>
internal sealed class DnsDkimPublicKeyLocator(MailAuthenticationDns dns) : IDkimPublicKeyLocator
{
    private readonly Dictionary<string, DkimKeyLookup> _lookups = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Looks up and interprets the key for <paramref name="domain"/> and <paramref name="selector"/> (ASCII).</summary>
    public async ValueTask<DkimKeyLookup> LookupAsync(string domain, string selector)
    {
        var name = selector + "._domainkey." + domain;
        if (_lookups.TryGetValue(name, out var known))
        {
            return known;
        }

        var txt = await dns.TxtAsync(name).ConfigureAwait(false);
        var lookup = txt.Status switch
        {
            DnsLookupStatus.TemporaryFailure => new DkimKeyLookup(DkimKeyStatus.TemporaryFailure, null, null, $"DNS failure looking up the key at {name}"),
            DnsLookupStatus.Found => Interpret(name, txt.Records),
            _ => new DkimKeyLookup(DkimKeyStatus.NotFound, null, null, $"no key at {name}"),
        };
        _lookups[name] = lookup;
        return lookup;
    }

    /// <summary>The key found earlier for this message (MimeKit calls this after <see cref="LookupAsync"/> vetted it).</summary>
    public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        // There is no synchronous DNS here: the verifier only uses the asynchronous path, after LookupAsync.
        return _lookups.TryGetValue(selector + "._domainkey." + domain, out var lookup) && lookup.Key is { } key
            ? key
            : throw new InvalidOperationException($"No DKIM key was located for {selector}._domainkey.{domain} in this message; look it up with LocatePublicKeyAsync first.");
    }

    /// <inheritdoc/>
    public async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var lookup = await LookupAsync(domain, selector).ConfigureAwait(false);
        return lookup.Key ?? throw new InvalidOperationException(lookup.Reason);
    }

    /// <summary>The first TXT record that parses as a key record is used (§3.6.2.2 leaves several records undefined).</summary>
    private static DkimKeyLookup Interpret(string name, IReadOnlyList<string> records)
    {
        string? firstError = null;
        foreach (var txt in records)
        {
            if (!DkimKeyRecord.TryParse(txt, out var record, out var error))
            {
                firstError ??= error;
                continue;
            }

            if (record!.IsRevoked)
            {
                return new DkimKeyLookup(DkimKeyStatus.Revoked, record, null, $"the key at {name} is revoked");
            }

            var key = CreateKey(record, out var keyError);
            return key is null
                ? new DkimKeyLookup(DkimKeyStatus.Invalid, record, null, $"the key at {name}: {keyError}")
                : new DkimKeyLookup(DkimKeyStatus.Found, record, key, $"key found at {name}");
        }

        return new DkimKeyLookup(DkimKeyStatus.Invalid, null, null, $"the key record at {name} is malformed: {firstError}");
    }

    private static AsymmetricKeyParameter? CreateKey(DkimKeyRecord record, out string? error)
    {
        error = null;
        var bytes = record.PublicKey.ToArray();
        switch (record.KeyType)
        {
            case "ed25519":
                // RFC 8463 §4.2: p= is the raw 32-octet public key.
                if (bytes.Length != Ed25519PublicKeyParameters.KeySize)
                {
                    error = "an Ed25519 key must be 32 octets";
                    return null;
                }

                try
                {
                    return new Ed25519PublicKeyParameters(bytes, 0);
                }
                catch (ArgumentException)
                {
                    error = "p= is not an Ed25519 public key";
                    return null;
                }

            case "rsa":
                try
                {
                    if (PublicKeyFactory.CreateKey(bytes) is RsaKeyParameters spki)
                    {
                        return spki;
                    }
                }
#pragma warning disable CA1031 // Untrusted DER from DNS: any decoding failure just means "not a SubjectPublicKeyInfo".
                catch (Exception)
#pragma warning restore CA1031
                {
                    // Try the bare RSAPublicKey below.
                }

                try
                {
                    var rsa = RsaPublicKeyStructure.GetInstance(Asn1Object.FromByteArray(bytes));
                    return new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent);
                }
#pragma warning disable CA1031 // As above: a key that does not decode is a permanent key error, never a crash.
                catch (Exception)
#pragma warning restore CA1031
                {
                    error = "p= is not an RSA public key";
                    return null;
                }

            default:
                error = $"unknown key type k={record.KeyType}";
                return null;
        }
    }
}
