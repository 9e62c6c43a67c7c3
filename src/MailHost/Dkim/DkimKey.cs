namespace MailHost.Dkim;

/// <summary>
/// A domain's DKIM signing key as stored: the domain and selector it signs as (<c>d=</c> and <c>s=</c>, RFC 6376
/// §3.5), its algorithm, and the private key as PKCS #8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>).
/// </summary>
/// <param name="Domain">The signing domain in canonical form (lower-case A-label, see
/// <see cref="Accounts.MailAddressCanonicalizer.CanonicalizeDomain"/>).</param>
/// <param name="Selector">The selector; its public key is published at <c>&lt;selector&gt;._domainkey.&lt;domain&gt;</c>.</param>
/// <param name="Algorithm">The <c>a=</c> name, normally one of <see cref="DkimAlgorithms"/>. A store may return
/// other text (written by a newer version); such a key is not used for signing.</param>
/// <param name="PrivateKeyPem">The private key, PKCS #8 in PEM. Secret: never logged or printed.</param>
/// <param name="Created">When the key was made.</param>
public sealed record DkimKey(string Domain, string Selector, string Algorithm, string PrivateKeyPem, DateTimeOffset Created)
{
    /// <summary>Describes the key without its private material, so that a key in a log message leaks nothing.</summary>
    public override string ToString() => $"DkimKey {{ Domain = {Domain}, Selector = {Selector}, Algorithm = {Algorithm}, Created = {Created:O} }}";
}
