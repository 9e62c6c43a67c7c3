using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Server.Onboarding;

/// <summary>
/// Signs a configuration profile as a CMS SignedData with the profile inside (RFC 5652), which is how Apple devices
/// take signed profiles and show them as "Verified" when the signer chains to a trusted root.
/// </summary>
internal static class AppleProfileSigner
{
    /// <summary>
    /// The signed profile, or the profile unchanged when <paramref name="certificate"/> is missing, has no private
    /// key, or is self-signed: a self-signed signature is shown as "Not Verified" just like no signature, and only
    /// adds a certificate the user cannot check.
    /// </summary>
    public static byte[] SignIfTrusted(byte[] profile, X509Certificate2? certificate)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (certificate is null || !certificate.HasPrivateKey || MailServerCertificate.IsSelfSigned(certificate))
        {
            return profile;
        }

        try
        {
            return Sign(profile, certificate, X509IncludeOption.ExcludeRoot);
        }
        catch (CryptographicException)
        {
            // The chain could not be built here (intermediates unknown to this machine): send the leaf alone; the
            // device may still find the intermediates itself.
            return Sign(profile, certificate, X509IncludeOption.EndCertOnly);
        }
    }

    private static byte[] Sign(byte[] profile, X509Certificate2 certificate, X509IncludeOption include)
    {
        var cms = new SignedCms(new ContentInfo(profile), detached: false);
        cms.ComputeSignature(new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate) { IncludeOption = include });
        return cms.Encode();
    }
}
