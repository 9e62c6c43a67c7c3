using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// LOGIN (draft-murchison-sasl-login-00): the server challenges <c>Username:</c> (base64 <c>VXNlcm5hbWU6</c>), then
/// <c>Password:</c> (<c>UGFzc3dvcmQ6</c>); each answer is one UTF-8 string.
/// </summary>
/// <remarks>
/// An initial response is the user name (draft §2.1), so the first challenge is skipped. An empty initial response
/// (<c>=</c>) is treated as none and the user name is asked for: some clients send <c>AUTH LOGIN =</c>.
/// An empty password is passed on as <see cref="SaslStepKind.VerifyPassword"/>; the driver refuses it.
/// </remarks>
public sealed class SaslLoginMechanism : SaslMechanism
{
    private static readonly byte[] UsernameChallenge = "Username:"u8.ToArray();
    private static readonly byte[] PasswordChallenge = "Password:"u8.ToArray();

    private string? _userName;

    /// <inheritdoc />
    public override string Name => SaslMechanismNames.Login;

    /// <inheritdoc />
    public override bool TransmitsPassword => true;

    /// <inheritdoc />
    protected override SaslStep OnStart(bool hasInitialResponse, ReadOnlySpan<byte> initialResponse) =>
        hasInitialResponse && !initialResponse.IsEmpty ? TakeUserName(initialResponse) : SaslStep.Challenge(UsernameChallenge);

    /// <inheritdoc />
    protected override SaslStep OnResponse(ReadOnlySpan<byte> response)
    {
        if (_userName is null)
        {
            return TakeUserName(response);
        }

        if (!Utf8.IsValid(response) || response.Contains((byte)0))
        {
            return SaslStep.Fail(SaslFailure.Malformed, "LOGIN password is not valid UTF-8 text.", authenticationId: _userName);
        }

        return SaslStep.VerifyPassword(_userName, null, Encoding.UTF8.GetString(response));
    }

    private SaslStep TakeUserName(ReadOnlySpan<byte> response)
    {
        if (response.IsEmpty || !Utf8.IsValid(response) || response.Contains((byte)0))
        {
            return SaslStep.Fail(SaslFailure.Malformed, "LOGIN user name is empty or not valid UTF-8 text.");
        }

        _userName = Encoding.UTF8.GetString(response);
        return SaslStep.Challenge(PasswordChallenge);
    }
}
