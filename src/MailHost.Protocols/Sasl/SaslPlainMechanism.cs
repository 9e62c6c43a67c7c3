using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// PLAIN (RFC 4616): one message <c>[authzid] NUL authcid NUL passwd</c>, UTF-8. Without an initial response the
/// server sends an empty challenge first (RFC 4422 §5).
/// </summary>
/// <remarks>
/// Exactly three fields are accepted; a fourth (a NUL inside a name or password) is malformed, as is an empty authcid.
/// An empty password is passed on as <see cref="SaslStepKind.VerifyPassword"/> so the driver can refuse it as such
/// (RFC 4616 §2 requires one octet, but refusing it here would hide a broken client from the login history).
/// </remarks>
public sealed class SaslPlainMechanism : SaslMechanism
{
    /// <inheritdoc />
    public override string Name => SaslMechanismNames.Plain;

    /// <inheritdoc />
    public override bool TransmitsPassword => true;

    /// <summary>Parses one PLAIN message into a <see cref="SaslStepKind.VerifyPassword"/> step, or a malformed failure.</summary>
    internal static SaslStep Parse(ReadOnlySpan<byte> message)
    {
        // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return SaslStep.Fail(SaslFailure.Malformed, "PLAIN message has no NUL separator.");
        }

        var rest = message[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return SaslStep.Fail(SaslFailure.Malformed, "PLAIN message has two fields, three expected.");
        }

        var authzid = message[..first];
        var authcid = rest[..second];
        var password = rest[(second + 1)..];
        if (password.Contains((byte)0))
        {
            return SaslStep.Fail(SaslFailure.Malformed, "PLAIN message has more than three fields.");
        }

        if (authcid.IsEmpty)
        {
            return SaslStep.Fail(SaslFailure.Malformed, "PLAIN message has an empty authentication identity.");
        }

        if (!Utf8.IsValid(authzid) || !Utf8.IsValid(authcid) || !Utf8.IsValid(password))
        {
            return SaslStep.Fail(SaslFailure.Malformed, "PLAIN message is not valid UTF-8.");
        }

        return SaslStep.VerifyPassword(
            Encoding.UTF8.GetString(authcid),
            authzid.IsEmpty ? null : Encoding.UTF8.GetString(authzid),
            Encoding.UTF8.GetString(password));
    }

    /// <inheritdoc />
    protected override SaslStep OnStart(bool hasInitialResponse, ReadOnlySpan<byte> initialResponse) =>
        hasInitialResponse ? Parse(initialResponse) : SaslStep.Challenge(ReadOnlyMemory<byte>.Empty);

    /// <inheritdoc />
    protected override SaslStep OnResponse(ReadOnlySpan<byte> response) => Parse(response);
}
