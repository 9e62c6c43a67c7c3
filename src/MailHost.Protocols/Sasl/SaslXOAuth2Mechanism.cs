using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// XOAUTH2, Google's bearer token mechanism that predates RFC 7628 and that most mail clients still send: one message
/// <c>user=&lt;user&gt; ^A auth=Bearer &lt;token&gt; ^A ^A</c> → <see cref="SaslStepKind.VerifyBearerToken"/>. An accepted
/// token ends in <see cref="SaslStepKind.Success"/>; a refused one in one more round, as Google's servers do it: the
/// JSON error as a challenge, the client's empty answer, then <see cref="SaslStepKind.Failure"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Without an initial response the server sends an empty challenge first (RFC 4422 §5).</item>
/// <item>Exactly the keys <c>user</c> (a non-empty UTF-8 name without control characters) and <c>auth</c>
/// (<c>Bearer</c> and an RFC 6750 b64token), each once, in either order, with the same <c>^A</c> framing as RFC 7628
/// §3.1; anything else is malformed.</item>
/// <item>Any answer to the error challenge ends in the same failure: clients send an empty line, some send <c>^A</c>.</item>
/// </list>
/// </remarks>
public sealed class SaslXOAuth2Mechanism : SaslMechanism
{
    private string? _requestedUser;
    private bool _awaitingErrorAcknowledgement;

    /// <inheritdoc />
    public override string Name => SaslMechanismNames.XOAuth2;

    /// <inheritdoc />
    public override bool TransmitsPassword => true;

    /// <inheritdoc />
    protected override SaslStep OnStart(bool hasInitialResponse, ReadOnlySpan<byte> initialResponse) =>
        hasInitialResponse ? Parse(initialResponse) : SaslStep.Challenge(ReadOnlyMemory<byte>.Empty);

    /// <inheritdoc />
    protected override SaslStep OnResponse(ReadOnlySpan<byte> response) =>
        _awaitingErrorAcknowledgement
            ? SaslStep.Fail(SaslFailure.AuthenticationFailed, "XOAUTH2 token refused.", authenticationId: _requestedUser)
            : Parse(response);

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
        SaslStep.Fail(SaslFailure.Malformed, "XOAUTH2 " + message, authenticationId: requestedUser);

    private SaslStep Parse(ReadOnlySpan<byte> message)
    {
        var pairs = new List<SaslBearerSyntax.Pair>();
        if (SaslBearerSyntax.ParsePairs(message, pairs) is { } error)
        {
            return Malformed("message: " + error + ".");
        }

        ReadOnlySpan<byte> auth = default;
        var hasAuth = false;
        foreach (var (key, range) in pairs)
        {
            var value = message[range];
            switch (key)
            {
                case "user":
                    var user = value.IsEmpty || !Utf8.IsValid(value) ? null : Encoding.UTF8.GetString(value);
                    if (user is null || !SaslBearerSyntax.IsPrintable(user))
                    {
                        return Malformed("user is empty, not UTF-8 or contains control characters.");
                    }

                    _requestedUser = user;
                    break;
                case "auth":
                    auth = value;
                    hasAuth = true;
                    break;
                default:
                    return Malformed($"message has the key '{key}'; only user and auth are defined.");
            }
        }

        if (_requestedUser is null || !hasAuth)
        {
            return Malformed("message lacks user or auth.", _requestedUser);
        }

        if (!SaslBearerSyntax.IsValue(auth))
        {
            return Malformed("auth has characters outside VCHAR and SP.", _requestedUser);
        }

        return SaslBearerSyntax.ParseBearerCredentials(auth, Name, _requestedUser, out var token)
            ?? SaslStep.VerifyBearerToken(token!, _requestedUser);
    }
}
