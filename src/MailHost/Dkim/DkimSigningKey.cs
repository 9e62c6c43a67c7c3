using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MailHost.Dkim;

/// <summary>A stored key parsed and checked, ready to sign as <c>d=</c><see cref="Domain"/>, <c>s=</c><see cref="Selector"/>.</summary>
internal sealed record DkimSigningKey(string Domain, string Selector, DkimSignatureAlgorithm Algorithm, AsymmetricKeyParameter PrivateKey)
{
    public override string ToString() => $"DkimSigningKey {{ Domain = {Domain}, Selector = {Selector}, Algorithm = {Algorithm} }}";
}
