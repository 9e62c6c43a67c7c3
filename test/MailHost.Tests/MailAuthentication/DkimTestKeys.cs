using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailHost.Tests.MailAuthentication;

/// <summary>Signing keys made once per test run, their DNS key records, and a signing helper.</summary>
internal static class DkimTestKeys
{
    private static readonly Lazy<AsymmetricCipherKeyPair> LazyRsa = new(() => Rsa(2048));
    private static readonly Lazy<AsymmetricCipherKeyPair> LazyShortRsa = new(() => Rsa(512));
    private static readonly Lazy<AsymmetricCipherKeyPair> LazyEd25519 = new(() =>
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return generator.GenerateKeyPair();
    });

    public static AsymmetricCipherKeyPair RsaKey => LazyRsa.Value;

    public static AsymmetricCipherKeyPair ShortRsaKey => LazyShortRsa.Value;

    public static AsymmetricCipherKeyPair Ed25519Key => LazyEd25519.Value;

    /// <summary>The TXT record for an RSA key: p= is the DER SubjectPublicKeyInfo.</summary>
    public static string RsaRecord(AsymmetricCipherKeyPair key, string extra = "")
        => "v=DKIM1; k=rsa; " + extra + "p=" + Convert.ToBase64String(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key.Public).GetDerEncoded());

    /// <summary>The TXT record for an Ed25519 key: p= is the raw 32-octet key (RFC 8463 §4.2).</summary>
    public static string Ed25519Record(string extra = "")
        => "v=DKIM1; k=ed25519; " + extra + "p=" + Convert.ToBase64String(((Ed25519PublicKeyParameters)Ed25519Key.Public).GetEncoded());

    public static MimeMessage Message(string from = "alice@example.org", string body = "Hello, world.\r\n")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        message.Subject = "DKIM test";
        message.Date = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        message.MessageId = "m1@example.org";
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    public static void Sign(MimeMessage message, AsymmetricKeyParameter privateKey, string domain, string selector, DkimSignatureAlgorithm algorithm = DkimSignatureAlgorithm.RsaSha256, string? identity = null)
    {
        var signer = new DkimSigner(privateKey, domain, selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            AgentOrUserIdentifier = identity,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
    }

    public static byte[] Bytes(MimeMessage message)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    }

    private static AsymmetricCipherKeyPair Rsa(int bits)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new KeyGenerationParameters(new SecureRandom(), bits));
        return generator.GenerateKeyPair();
    }
}
