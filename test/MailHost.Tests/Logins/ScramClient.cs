using System.Security.Cryptography;
using System.Text;

namespace MailHost.Tests.Logins;

/// <summary>The client side of SCRAM-SHA-256 (RFC 5802 §3), enough to drive <c>SaslAuthenticator</c> through a <see cref="ScriptedChannel"/>.</summary>
internal sealed class ScramClient(string user, string password)
{
    private readonly string _nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    private byte[]? _expectedServerSignature;

    public string ClientFirst => "n,,n=" + user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal) + ",r=" + _nonce;

    public bool ServerVerified { get; private set; }

    public static Dictionary<string, string> Attributes(string message) =>
        message.Split(',').ToDictionary(part => part[..1], part => part[2..]);

    public string Respond(string challenge)
    {
        if (challenge.StartsWith("v=", StringComparison.Ordinal))
        {
            ServerVerified = Convert.FromBase64String(challenge[2..]).AsSpan().SequenceEqual(_expectedServerSignature);
            return "";
        }

        var attributes = Attributes(challenge);
        attributes["r"].Should().StartWith(_nonce);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(attributes["s"]),
            int.Parse(attributes["i"], System.Globalization.CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var withoutProof = "c=biws,r=" + attributes["r"];
        var authMessage = Encoding.UTF8.GetBytes(ClientFirst[3..] + "," + challenge + "," + withoutProof);
        var signature = HMACSHA256.HashData(storedKey, authMessage);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        _expectedServerSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, "Server Key"u8), authMessage);
        return ScriptedChannel.B64(withoutProof + ",p=" + Convert.ToBase64String(proof));
    }
}
