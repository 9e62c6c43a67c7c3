namespace MailHost.Protocols.Sasl;

/// <summary>Why a SASL exchange failed.</summary>
public enum SaslFailure
{
    /// <summary>The client's data is not what the mechanism expects (bad base64, wrong field count, bad syntax).</summary>
    Malformed,

    /// <summary>The client answered a challenge with <c>*</c> (RFC 4954 §4, RFC 9051 §6.2.2).</summary>
    Cancelled,

    /// <summary>The client's response is longer than <see cref="SaslWireFormat.MaxResponseLength"/> (RFC 4954 §4: SMTP answers 500).</summary>
    TooLong,

    /// <summary>The client asked for something the server does not offer (SCRAM channel binding, a mandatory extension).</summary>
    Unsupported,

    /// <summary>The client's proof does not match the credentials (SCRAM <c>e=invalid-proof</c>).</summary>
    AuthenticationFailed,
}
