using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// OAUTHBEARER (RFC 7628): one client message <c>gs2-header ^A *(key=value ^A) ^A</c> carrying
/// <c>auth=Bearer &lt;token&gt;</c> → <see cref="SaslStepKind.VerifyBearerToken"/>. An accepted token ends in
/// <see cref="SaslStepKind.Success"/>; a refused one in the error round of RFC 7628 §3.2.2: the server's JSON error as a
/// challenge, the client's <c>^A</c> (%x01), then <see cref="SaslStepKind.Failure"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Without an initial response the server sends an empty challenge first (RFC 4422 §5).</item>
/// <item>The GS2 header is <c>n,</c> or <c>y,</c> (no channel binding is offered, so <c>y</c> is honest; RFC 5801
/// §4), then an optional <c>a=saslname</c> (<c>=2C</c>, <c>=3D</c> decoded) and <c>,</c>. <c>p=...</c> is
/// <see cref="SaslFailure.Unsupported"/>. An empty <c>a=</c> is read as no name: MailKit sends one when it has no user name.</item>
/// <item><c>auth</c> is required and must be <c>Bearer</c> and an RFC 6750 b64token; <c>host</c> and <c>port</c> are
/// optional and checked for form only (<c>port=-1</c>, which MailKit sends when its URI names no port, counts as none);
/// other keys (extensions) are ignored; a key given twice is malformed.</item>
/// <item>A lone <c>^A</c> is the answer to an error challenge: as a first message it is malformed. An answer other than
/// <c>^A</c> to the error challenge still ends in the same failure.</item>
/// </list>
/// </remarks>
public sealed class SaslOAuthBearerMechanism : SaslMechanism
{
    // RFC 1035 §2.3.4 and RFC 3986 §3.2.2: a host name (or IP literal) is at most 255 octets.
    private const int MaxHostLength = 255;

    private string? _requestedUser;
    private bool _awaitingErrorAcknowledgement;

    /// <inheritdoc />
    public override string Name => SaslMechanismNames.OAuthBearer;

    /// <inheritdoc />
    public override bool TransmitsPassword => true;

    /// <summary>The <c>host</c> the client named (RFC 7628 §3.1), once a message has been parsed; for logs.</summary>
    public string? Host { get; private set; }

    /// <summary>The <c>port</c> the client named (RFC 7628 §3.1), once a message has been parsed; for logs.</summary>
    public int? Port { get; private set; }

    /// <inheritdoc />
    protected override SaslStep OnStart(bool hasInitialResponse, ReadOnlySpan<byte> initialResponse) =>
        hasInitialResponse ? Parse(initialResponse) : SaslStep.Challenge(ReadOnlyMemory<byte>.Empty);

    /// <inheritdoc />
    protected override SaslStep OnResponse(ReadOnlySpan<byte> response)
    {
        if (!_awaitingErrorAcknowledgement)
        {
            return Parse(response);
        }

        // RFC 7628 §3.2.2: "the client MUST then send ... a dummy client response" of one %x01; the server then fails.
        return SaslStep.Fail(
            SaslFailure.AuthenticationFailed,
            response.SequenceEqual([SaslBearerSyntax.Separator])
                ? "OAUTHBEARER token refused."
                : "OAUTHBEARER token refused; the client answered the error challenge with something other than ^A.",
            authenticationId: _requestedUser);
    }

    /// <inheritdoc />
    protected override SaslStep OnTokenAccepted(string authenticationId) =>
        SaslStep.Success(authenticationId, _requestedUser, ReadOnlyMemory<byte>.Empty);

    /// <inheritdoc />
    protected override SaslStep OnTokenRejected(ReadOnlyMemory<byte> errorChallenge)
    {
        _awaitingErrorAcknowledgement = true;
        return SaslStep.Challenge(errorChallenge);
    }

    private static SaslStep Malformed(string message, string? requestedUser = null) =>
        SaslStep.Fail(SaslFailure.Malformed, "OAUTHBEARER " + message, authenticationId: requestedUser);

    /// <summary>RFC 7628 §3.1: client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep.</summary>
    private SaslStep Parse(ReadOnlySpan<byte> message)
    {
        if (message.SequenceEqual([SaslBearerSyntax.Separator]))
        {
            return Malformed("message is a lone ^A, which only answers an error challenge.");
        }

        // RFC 5801 §4: gs2-header = gs2-cb-flag "," [ gs2-authzid ] ","; gs2-cb-flag = ("p=" cb-name) / "n" / "y"
        if (message.StartsWith("p="u8))
        {
            return SaslStep.Fail(SaslFailure.Unsupported, "OAUTHBEARER client asked for channel binding.");
        }

        if (message.Length < 2 || message[0] is not ((byte)'n' or (byte)'y') || message[1] != ',')
        {
            return Malformed("message has no valid GS2 header.");
        }

        var headerEnd = message[2..].IndexOf((byte)',');
        if (headerEnd < 0)
        {
            return Malformed("message has an unterminated GS2 header.");
        }

        var authzid = message.Slice(2, headerEnd);
        headerEnd += 2;
        if (!authzid.IsEmpty)
        {
            if (!authzid.StartsWith("a="u8) || !Utf8.IsValid(authzid))
            {
                return Malformed("message has a malformed authzid.");
            }

            var name = SaslName.Decode(Encoding.UTF8.GetString(authzid[2..]));
            if (name is null || !SaslBearerSyntax.IsPrintable(name))
            {
                return Malformed("message has a malformed authzid.");
            }

            _requestedUser = name.Length == 0 ? null : name;
        }

        if (headerEnd + 1 >= message.Length || message[headerEnd + 1] != SaslBearerSyntax.Separator)
        {
            return Malformed("GS2 header is not followed by ^A.", _requestedUser);
        }

        var pairsStart = headerEnd + 2;
        var pairs = new List<SaslBearerSyntax.Pair>();
        if (SaslBearerSyntax.ParsePairs(message[pairsStart..], pairs) is { } error)
        {
            return Malformed("message: " + error + ".", _requestedUser);
        }

        string? token = null;
        foreach (var (key, range) in pairs)
        {
            var value = message[pairsStart..][range];
            if (!SaslBearerSyntax.IsValue(value))
            {
                return Malformed($"value of '{key}' has characters outside VCHAR, SP, HTAB, CR and LF.", _requestedUser);
            }

            switch (key)
            {
                case "auth":
                    if (SaslBearerSyntax.ParseBearerCredentials(value, Name, _requestedUser, out token) is { } refused)
                    {
                        return refused;
                    }

                    break;
                case "host":
                    if (value.IsEmpty || value.Length > MaxHostLength || value.ContainsAny(" \t\r\n"u8))
                    {
                        return Malformed("host is empty, too long or contains white space.", _requestedUser);
                    }

                    Host = Encoding.ASCII.GetString(value);
                    break;
                case "port":
                    // MailKit sends port=-1 when the URI it connected with names no port: read as no port.
                    if (value.SequenceEqual("-1"u8))
                    {
                        break;
                    }

                    // RFC 3986 §3.2.3: port = *DIGIT; a TCP port is at most 65535.
                    if (value.IsEmpty || value.Length > 5 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                    {
                        return Malformed("port is not a number from 0 to 65535.", _requestedUser);
                    }

                    var port = int.Parse(value, CultureInfo.InvariantCulture);
                    if (port > ushort.MaxValue)
                    {
                        return Malformed("port is not a number from 0 to 65535.", _requestedUser);
                    }

                    Port = port;
                    break;
                default:
                    // Keys other than auth, host and port carry extensions this server does not use.
                    break;
            }
        }

        return token is null ? Malformed("message has no auth key.", _requestedUser) : SaslStep.VerifyBearerToken(token, _requestedUser);
    }
}
