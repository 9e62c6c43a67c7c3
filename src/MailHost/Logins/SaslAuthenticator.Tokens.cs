using MailHost.Protocols.Sasl;

namespace MailHost.Logins;

/// <summary>The bearer token step of an exchange (OAUTHBEARER, XOAUTH2).</summary>
internal sealed partial class SaslAuthenticator
{
    /// <summary>
    /// Checks the token the mechanism read and ends the exchange. A refused token first gets its error as a challenge
    /// and the client's dummy answer is read (RFC 7628 §3.2.2); whatever that answer is, the attempt has failed and was
    /// counted already, so the failure the verifier decided is what the session sends.
    /// </summary>
    private async ValueTask<AuthenticationResult> VerifyBearerTokenAsync(
        SaslMechanism mechanism, SaslStep step, ISaslChallengeChannel channel, AuthenticationContext context, byte[] buffer, CancellationToken ct)
    {
        var (result, error) = await _verifier.VerifyBearerTokenAsync(step.BearerToken!, step.AuthorizationId, mechanism.Name, context, _tokens!, ct)
            .ConfigureAwait(false);
        if (result.Succeeded)
        {
            mechanism.AcceptToken(result.Account.Name);
            return result;
        }

        if (error is not null)
        {
            var challenge = mechanism.RejectToken(error);
            var (answered, length, failure) = await ExchangeAsync(challenge.Data, channel, buffer, ct).ConfigureAwait(false);
            var end = answered ? mechanism.Continue(buffer.AsSpan(0, length)) : SaslStep.Fail(failure, "error challenge not answered");
            Log.ExchangeFailed(_logger, mechanism.Name, end.Failure, end.Message ?? "failed");
        }

        return result;
    }
}
