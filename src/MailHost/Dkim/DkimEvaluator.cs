using System.Text;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace MailHost.Dkim;

/// <summary>
/// Verifies the DKIM-Signature fields of one message (RFC 6376 §6.1) with MimeKit's <see cref="DkimVerifier"/>.
/// The checks MimeKit leaves out or reports only as "false" are made here first, so each signature gets the
/// result RFC 8601 §2.7.1 names: syntax errors neutral; an unsigned From, a missing, revoked or unusable key
/// permerror; rsa-sha1 and short RSA keys policy (RFC 8301); DNS failures temperror; a mismatch or expiry fail.
/// </summary>
internal sealed class DkimEvaluator(MailAuthenticationDns dns, TimeProvider timeProvider)
{
    /// <summary>RFC 8301 §3.2: RSA keys shorter than 1024 bits are not acceptable.</summary>
    public const int MinimumRsaKeyBits = 1024;

    /// <summary>
    /// The largest RSA modulus and public exponent verified. RFC 6376 §3.3.3 requires keys up to 2048 bits and allows
    /// refusing larger ones; a sender's DNS must not be able to buy seconds of CPU per signature (SECURITY rule 3).
    /// </summary>
    public const int MaximumRsaKeyBits = 8192;

    /// <summary>Public exponents beyond this many bits (65537 has 17) are refused for the same reason.</summary>
    public const int MaximumRsaExponentBits = 64;

    /// <summary>Verifies up to <paramref name="maxSignatures"/> signatures, top-most first; none when unsigned.</summary>
    /// <param name="message">The message, parsed (persistently) from the client's content, its body one leaf part: DKIM hashes the body's bytes.</param>
    /// <param name="maxSignatures">How many signatures to verify.</param>
    /// <param name="tooLargeReason">When set, the message is not hashed and every signature gets policy with this reason.</param>
    /// <param name="cancellationToken">Cancels hashing (the DNS budget is separate).</param>
    public async ValueTask<IReadOnlyList<DkimVerdict>> VerifyAsync(MimeMessage message, int maxSignatures, string? tooLargeReason, CancellationToken cancellationToken)
    {
        var fields = message.Headers.Where(h => h.Id == HeaderId.DkimSignature).Take(Math.Max(0, maxSignatures)).ToList();
        if (fields.Count == 0)
        {
            return [];
        }

        var locator = new DnsDkimPublicKeyLocator(dns);
        var verifier = new DkimVerifier(locator) { MinimumRsaKeyLength = MinimumRsaKeyBits };
        var verdicts = new List<DkimVerdict>(fields.Count);
        foreach (var field in fields)
        {
            verdicts.Add(await VerifyOneAsync(verifier, locator, message, field, tooLargeReason, cancellationToken).ConfigureAwait(false));
        }

        return verdicts;
    }

    private async ValueTask<DkimVerdict> VerifyOneAsync(DkimVerifier verifier, DnsDkimPublicKeyLocator locator, MimeMessage message, Header field, string? tooLargeReason, CancellationToken cancellationToken)
    {
        var value = Encoding.UTF8.GetString(field.RawValue);
        if (!DkimSignatureHeader.TryParse(value, out var signature, out var error))
        {
            return new DkimVerdict(DkimResult.Neutral, null, null, "malformed signature: " + error);
        }

        var d = signature!.Domain;
        var s = signature.Selector;
        DkimVerdict Verdict(DkimResult result, string reason) => new(result, d, s, reason) { Algorithm = signature.Algorithm };

        // RFC 6376 §5.4: the From field MUST be signed.
        if (!signature.SignedHeaders.Contains("from"))
        {
            return Verdict(DkimResult.PermError, "the From field is not signed");
        }

        // §3.5 i=: the AUID's domain must be the SDID or below it.
        if (signature.IdentityDomain is { } auid && !MailDomainName.IsSameOrSubdomain(auid, d))
        {
            return Verdict(DkimResult.PermError, "i= is not within d=");
        }

        if (!signature.QueryMethods.Contains("dns/txt"))
        {
            return Verdict(DkimResult.PermError, "no supported key query method");
        }

        switch (signature.Algorithm)
        {
            case "rsa-sha256" or "ed25519-sha256":
                break;
            case "rsa-sha1":
                // RFC 8301 §3.1: rsa-sha1 MUST NOT be used for verifying.
                return Verdict(DkimResult.Policy, "rsa-sha1 is not accepted (RFC 8301)");
            default:
                return Verdict(DkimResult.PermError, "unsupported algorithm " + signature.Algorithm);
        }

        // §3.5 x=: MUST be greater than t=; a signature past it is invalid.
        if (signature.Expiration is { } expires)
        {
            if (signature.Timestamp is { } signedAt && expires <= signedAt)
            {
                return Verdict(DkimResult.Neutral, "x= is not after t=");
            }

            if (expires < timeProvider.GetUtcNow().ToUnixTimeSeconds())
            {
                return Verdict(DkimResult.Fail, "signature expired");
            }
        }

        if (tooLargeReason is not null)
        {
            return Verdict(DkimResult.Policy, tooLargeReason);
        }

        // §6.1.2: the key, and whether it may verify this signature.
        var lookup = await locator.LookupAsync(d, s).ConfigureAwait(false);
        switch (lookup.Status)
        {
            case DkimKeyStatus.TemporaryFailure:
                return Verdict(DkimResult.TempError, lookup.Reason);
            case DkimKeyStatus.NotFound or DkimKeyStatus.Revoked or DkimKeyStatus.Invalid:
                return Verdict(DkimResult.PermError, lookup.Reason);
        }

        var record = lookup.Record!;
        if (record.KeyType != signature.KeyType)
        {
            return Verdict(DkimResult.PermError, $"the key is k={record.KeyType}, the signature a={signature.Algorithm}");
        }

        if (!record.AcceptsHash(signature.HashAlgorithm))
        {
            return Verdict(DkimResult.PermError, "the key does not allow " + signature.HashAlgorithm);
        }

        if (!record.AllowsEmail)
        {
            return Verdict(DkimResult.PermError, "the key is not for email (s=)");
        }

        if (record.IsStrict && signature.IdentityDomain is { } strictAuid && !strictAuid.Equals(d, StringComparison.Ordinal))
        {
            // §3.6.1 t=s: the i= domain must equal d=, not be a subdomain of it.
            return Verdict(DkimResult.PermError, "the key requires i= in d= exactly (t=s)");
        }

        if (lookup.Key is RsaKeyParameters rsa)
        {
            if (rsa.Modulus.BitLength < MinimumRsaKeyBits)
            {
                return Verdict(DkimResult.Policy, $"RSA key of {rsa.Modulus.BitLength} bits is too short (RFC 8301)");
            }

            if (rsa.Modulus.BitLength > MaximumRsaKeyBits || rsa.Exponent.BitLength > MaximumRsaExponentBits)
            {
                return Verdict(DkimResult.Policy, $"RSA key of {rsa.Modulus.BitLength} bits with a {rsa.Exponent.BitLength}-bit exponent is too large to verify");
            }
        }

        bool verified;
        try
        {
            verified = await verifier.VerifyAsync(FormatOptions.Default, message, field, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            return Verdict(DkimResult.Neutral, "malformed signature: " + ex.Message);
        }
#pragma warning disable CA1031 // One signature MimeKit cannot process must not cost the other results of the message.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return Verdict(DkimResult.Neutral, "the signature could not be processed (" + ex.GetType().Name + ")");
        }

        var testing = record.IsTesting ? " (key in testing mode)" : "";
        return verified
            ? Verdict(DkimResult.Pass, "signature verified" + testing) with { IsTesting = record.IsTesting }
            : Verdict(DkimResult.Fail, "signature or body hash did not verify" + testing) with { IsTesting = record.IsTesting };
    }
}
