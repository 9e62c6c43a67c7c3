using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding. The client speaks first; without an initial response
/// the server sends an empty challenge. Steps: client-first → <see cref="SaslStepKind.NeedScramCredentials"/> →
/// (credentials) → server-first challenge → client-final → <see cref="SaslStepKind.Success"/> carrying the
/// server-final <c>v=...</c>, or a failure carrying <c>e=...</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>GS2 flags <c>n</c> and <c>y</c> are accepted: the server advertises no <c>-PLUS</c> variant, so <c>y</c> is
/// honest (RFC 5802 §6). <c>p=...</c> fails with <c>e=channel-binding-not-supported</c>.</item>
/// <item>A mandatory extension (<c>m=</c>) fails with <c>e=extensions-not-supported</c>; other extensions are ignored.</item>
/// <item>The user name is decoded from saslname (<c>=2C</c>, <c>=3D</c>) but not SASLprepped: the driver's resolver
/// canonicalises it.</item>
/// <item>The client-final message must repeat the GS2 header in <c>c=</c> and the combined nonce in <c>r=</c>.</item>
/// </list>
/// </remarks>
public sealed class SaslScramSha256Mechanism : SaslMechanism
{
    private const int ServerNonceBytes = 18;

    // RFC 5802 sets no bound on the client nonce; clients send 24 to 48 characters. The server-first challenge echoes
    // it whole, so without a bound a client could make the server's answer as large as its own longest line.
    private const int MaxClientNonceLength = 256;

    private readonly string _serverNonce;
    private string? _gs2Header;
    private string? _clientFirstBare;
    private string? _clientNonce;
    private string? _userName;
    private string? _authorizationId;
    private string? _serverFirst;
    private SaslScramCredentials? _credentials;

    /// <summary>Creates an exchange with a fresh random server nonce.</summary>
    public SaslScramSha256Mechanism()
        : this(Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes)))
    {
    }

    /// <summary>Creates an exchange with a fixed server nonce (test vectors only: a nonce must never repeat).</summary>
    internal SaslScramSha256Mechanism(string serverNonce)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverNonce);
        if (!IsPrintableNonce(serverNonce))
        {
            throw new ArgumentException("A SCRAM nonce is printable ASCII without ','.", nameof(serverNonce));
        }

        _serverNonce = serverNonce;
    }

    /// <inheritdoc />
    public override string Name => SaslMechanismNames.ScramSha256;

    /// <inheritdoc />
    public override bool TransmitsPassword => false;

    /// <inheritdoc />
    protected override SaslStep OnStart(bool hasInitialResponse, ReadOnlySpan<byte> initialResponse) =>
        hasInitialResponse ? ParseClientFirst(initialResponse) : SaslStep.Challenge(ReadOnlyMemory<byte>.Empty);

    /// <inheritdoc />
    protected override SaslStep OnResponse(ReadOnlySpan<byte> response) =>
        _clientFirstBare is null ? ParseClientFirst(response) : VerifyClientFinal(response);

    /// <inheritdoc />
    protected override SaslStep OnCredentials(SaslScramCredentials credentials)
    {
        _credentials = credentials;

        // RFC 5802 §7: server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
        _serverFirst = string.Create(
            CultureInfo.InvariantCulture,
            $"r={_clientNonce}{_serverNonce},s={Convert.ToBase64String(credentials.Salt.Span)},i={credentials.Iterations}");
        return SaslStep.Challenge(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private static SaslStep Error(SaslFailure failure, string message, string rfcError, string? userName = null) =>
        SaslStep.Fail(failure, message, Encoding.ASCII.GetBytes("e=" + rfcError), userName);

    private SaslStep ParseClientFirst(ReadOnlySpan<byte> data)
    {
        if (!Utf8.IsValid(data) || data.Contains((byte)0))
        {
            return Error(SaslFailure.Malformed, "client-first-message is not valid UTF-8.", "invalid-encoding");
        }

        var message = Encoding.UTF8.GetString(data);

        // RFC 5802 §7: gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
        if (message.StartsWith("p=", StringComparison.Ordinal))
        {
            return Error(SaslFailure.Unsupported, "The client asked for channel binding.", "channel-binding-not-supported");
        }

        if (message.Length < 2 || message[0] is not ('n' or 'y') || message[1] != ',')
        {
            return Error(SaslFailure.Malformed, "client-first-message has no valid GS2 header.", "invalid-encoding");
        }

        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        var headerEnd = message.IndexOf(',', 2);
        if (headerEnd < 0)
        {
            return Error(SaslFailure.Malformed, "client-first-message has an unterminated GS2 header.", "invalid-encoding");
        }

        string? authorizationId = null;
        var authzidField = message.AsSpan(2, headerEnd - 2);
        if (!authzidField.IsEmpty)
        {
            authorizationId = authzidField.StartsWith("a=") ? SaslName.Decode(authzidField[2..]) : null;
            if (string.IsNullOrEmpty(authorizationId))
            {
                return Error(SaslFailure.Malformed, "client-first-message has a malformed authzid.", "invalid-encoding");
            }
        }

        var bare = message[(headerEnd + 1)..];
        if (bare.StartsWith("m=", StringComparison.Ordinal))
        {
            return Error(SaslFailure.Unsupported, "client-first-message has a mandatory extension.", "extensions-not-supported");
        }

        // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
        var fields = bare.Split(',');
        if (fields.Length < 2 || !fields[0].StartsWith("n=", StringComparison.Ordinal) || !fields[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return Error(SaslFailure.Malformed, "client-first-message-bare lacks n= or r=.", "invalid-encoding");
        }

        var userName = SaslName.Decode(fields[0].AsSpan(2));
        if (string.IsNullOrEmpty(userName))
        {
            return Error(SaslFailure.Malformed, "client-first-message has a malformed user name.", "invalid-username-encoding");
        }

        var clientNonce = fields[1][2..];
        if (clientNonce.Length == 0 || clientNonce.Length > MaxClientNonceLength || !IsPrintableNonce(clientNonce))
        {
            return Error(SaslFailure.Malformed, "client-first-message has a malformed nonce.", "invalid-encoding", userName);
        }

        _gs2Header = message[..(headerEnd + 1)];
        _clientFirstBare = bare;
        _clientNonce = clientNonce;
        _userName = userName;
        _authorizationId = authorizationId;
        return SaslStep.NeedScramCredentials(userName, authorizationId);
    }

    private SaslStep VerifyClientFinal(ReadOnlySpan<byte> data)
    {
        var credentials = _credentials!;
        if (!Utf8.IsValid(data) || data.Contains((byte)0))
        {
            return Error(SaslFailure.Malformed, "client-final-message is not valid UTF-8.", "invalid-encoding", _userName);
        }

        var message = Encoding.UTF8.GetString(data);

        // RFC 5802 §7: client-final-message = client-final-message-without-proof "," proof; proof is the last attribute.
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return Error(SaslFailure.Malformed, "client-final-message has no proof.", "invalid-encoding", _userName);
        }

        var withoutProof = message[..proofAt];
        var fields = withoutProof.Split(',');
        if (fields.Length < 2 || !fields[0].StartsWith("c=", StringComparison.Ordinal) || !fields[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return Error(SaslFailure.Malformed, "client-final-message lacks c= or r=.", "invalid-encoding", _userName);
        }

        // Without channel binding, c= is base64 of the GS2 header itself (RFC 5802 §7, cbind-input).
        var channelBinding = TryDecodeBase64(fields[0].AsSpan(2));
        if (channelBinding is null || !channelBinding.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(_gs2Header!)))
        {
            return Error(SaslFailure.Malformed, "client-final-message c= does not repeat the GS2 header.", "channel-bindings-dont-match", _userName);
        }

        // RFC 5802 §5.1: the nonce must be the combined client and server nonce, unchanged.
        if (!string.Equals(fields[1][2..], _clientNonce + _serverNonce, StringComparison.Ordinal))
        {
            return Error(SaslFailure.Malformed, "client-final-message nonce does not match.", "other-error", _userName);
        }

        var proof = TryDecodeBase64(message.AsSpan(proofAt + 3));
        if (proof is null || proof.Length != SaslScramCredentials.KeyLength)
        {
            return Error(SaslFailure.Malformed, "client-final-message proof is not a base64 SHA-256 value.", "invalid-encoding", _userName);
        }

        // RFC 5802 §3: AuthMessage = client-first-message-bare "," server-first-message "," client-final-message-without-proof
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + _serverFirst + "," + withoutProof);
        Span<byte> clientKey = stackalloc byte[SaslScramCredentials.KeyLength];
        Span<byte> storedKey = stackalloc byte[SaslScramCredentials.KeyLength];
        HMACSHA256.HashData(credentials.StoredKey.Span, authMessage, clientKey);
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= proof[i];
        }

        SHA256.HashData(clientKey, storedKey);
        var valid = CryptographicOperations.FixedTimeEquals(storedKey, credentials.StoredKey.Span);
        CryptographicOperations.ZeroMemory(clientKey);
        if (!valid)
        {
            return Error(SaslFailure.AuthenticationFailed, "SCRAM proof does not match.", "invalid-proof", _userName);
        }

        var serverSignature = HMACSHA256.HashData(credentials.ServerKey.Span, authMessage);
        var serverFinal = Encoding.ASCII.GetBytes("v=" + Convert.ToBase64String(serverSignature));
        return SaslStep.Success(_userName!, _authorizationId, serverFinal);
    }

    /// <summary>RFC 5802 §7: c-nonce = printable = %x21-2B / %x2D-7E (no ',').</summary>
    private static bool IsPrintableNonce(string nonce)
    {
        foreach (var c in nonce)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }

        return true;
    }

    private static byte[]? TryDecodeBase64(ReadOnlySpan<char> text)
    {
        var buffer = new byte[text.Length / 4 * 3 + 3];
        return Convert.TryFromBase64Chars(text, buffer, out var written) ? buffer[..written] : null;
    }
}
