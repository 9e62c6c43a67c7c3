namespace MailHost.Protocols.Sasl;

/// <summary>What a <see cref="SaslMechanism"/> asks its driver to do next.</summary>
public enum SaslStepKind
{
    /// <summary>Send <see cref="SaslStep.Data"/> as a challenge and pass the client's answer to <see cref="SaslMechanism.Continue"/>.</summary>
    Challenge,

    /// <summary>
    /// The exchange is over on the mechanism's side: the driver must check <see cref="SaslStep.Password"/> for
    /// <see cref="SaslStep.AuthenticationId"/> (PLAIN, LOGIN).
    /// </summary>
    VerifyPassword,

    /// <summary>
    /// The driver must look up the SCRAM credentials of <see cref="SaslStep.AuthenticationId"/> and pass them to
    /// <see cref="SaslMechanism.ProvideCredentials"/>. For an unknown user it passes a deterministic fake record so
    /// that the exchange looks the same.
    /// </summary>
    NeedScramCredentials,

    /// <summary>
    /// The client proved its identity. <see cref="SaslStep.Data"/>, when not empty, is the final server data that the
    /// driver must still deliver (SCRAM <c>v=...</c>).
    /// </summary>
    Success,

    /// <summary>The exchange failed; see <see cref="SaslStep.Failure"/> and <see cref="SaslStep.Message"/>.</summary>
    Failure,

    /// <summary>
    /// The driver must validate <see cref="SaslStep.BearerToken"/> (OAUTHBEARER, XOAUTH2); the user it names is the one
    /// authenticated. <see cref="SaslStep.AuthorizationId"/> is the user the client asked to be (RFC 7628 <c>a=</c>,
    /// XOAUTH2 <c>user=</c>), or <see langword="null"/> when it named none. Then it calls
    /// <see cref="SaslMechanism.AcceptToken"/> or <see cref="SaslMechanism.RejectToken"/>: a rejected token takes one
    /// more round (RFC 7628 §3.2.2: an error challenge, a dummy answer, then the failure).
    /// </summary>
    VerifyBearerToken,
}
