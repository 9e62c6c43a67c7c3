namespace MailHost.Protocols.Sasl;

/// <summary>
/// One result of a <see cref="SaslMechanism"/>: a value that tells the driver what to do next.
/// Only the members documented for a <see cref="Kind"/> are meaningful for it.
/// </summary>
/// <remarks><see cref="ToString"/> never shows the password or the bearer token.</remarks>
public sealed class SaslStep
{
    private SaslStep(
        SaslStepKind kind,
        ReadOnlyMemory<byte> data,
        string? authenticationId = null,
        string? authorizationId = null,
        string? password = null,
        SaslFailure failure = default,
        string? message = null,
        string? bearerToken = null)
    {
        Kind = kind;
        Data = data;
        AuthenticationId = authenticationId;
        AuthorizationId = authorizationId;
        Password = password;
        Failure = failure;
        Message = message;
        BearerToken = bearerToken;
    }

    /// <summary>What the driver must do.</summary>
    public SaslStepKind Kind { get; }

    /// <summary>
    /// Raw (not base64) bytes: the challenge for <see cref="SaslStepKind.Challenge"/>, the final server data for
    /// <see cref="SaslStepKind.Success"/> (may be empty), or the RFC error message (SCRAM <c>e=...</c>) for
    /// <see cref="SaslStepKind.Failure"/> when the RFC defines one (may be empty).
    /// </summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The identity whose credentials are checked (authcid; the SCRAM user name). Set for
    /// <see cref="SaslStepKind.VerifyPassword"/>, <see cref="SaslStepKind.NeedScramCredentials"/> and <see cref="SaslStepKind.Success"/>.</summary>
    public string? AuthenticationId { get; }

    /// <summary>
    /// The identity to act as (authzid; for <see cref="SaslStepKind.VerifyBearerToken"/> the user the client named), or
    /// <see langword="null"/> when the client sent none or an empty one.
    /// </summary>
    public string? AuthorizationId { get; }

    /// <summary>The password to check, for <see cref="SaslStepKind.VerifyPassword"/> only. May be empty: the driver decides.</summary>
    public string? Password { get; }

    /// <summary>
    /// The OAuth 2.0 bearer token to validate (the RFC 6750 b64token, without the scheme), for
    /// <see cref="SaslStepKind.VerifyBearerToken"/> only. A secret: never log it.
    /// </summary>
    public string? BearerToken { get; }

    /// <summary>Why the exchange failed, for <see cref="SaslStepKind.Failure"/> only.</summary>
    public SaslFailure Failure { get; }

    /// <summary>A short English description of the failure, for logs (never contains client secrets).</summary>
    public string? Message { get; }

    /// <summary>Send <paramref name="challenge"/> (raw bytes; the driver base64-encodes them) and continue with the client's answer.</summary>
    public static SaslStep Challenge(ReadOnlyMemory<byte> challenge) => new(SaslStepKind.Challenge, challenge);

    /// <summary>Check <paramref name="password"/> for <paramref name="authenticationId"/>.</summary>
    public static SaslStep VerifyPassword(string authenticationId, string? authorizationId, string password)
    {
        ArgumentNullException.ThrowIfNull(authenticationId);
        ArgumentNullException.ThrowIfNull(password);
        return new(SaslStepKind.VerifyPassword, default, authenticationId, NullIfEmpty(authorizationId), password);
    }

    /// <summary>Look up SCRAM credentials for <paramref name="authenticationId"/>.</summary>
    public static SaslStep NeedScramCredentials(string authenticationId, string? authorizationId)
    {
        ArgumentNullException.ThrowIfNull(authenticationId);
        return new(SaslStepKind.NeedScramCredentials, default, authenticationId, NullIfEmpty(authorizationId));
    }

    /// <summary>Validate <paramref name="bearerToken"/>; <paramref name="requestedUser"/> is the user the client named, if any.</summary>
    public static SaslStep VerifyBearerToken(string bearerToken, string? requestedUser)
    {
        ArgumentException.ThrowIfNullOrEmpty(bearerToken);
        return new(SaslStepKind.VerifyBearerToken, default, authorizationId: NullIfEmpty(requestedUser), bearerToken: bearerToken);
    }

    /// <summary>The client is authenticated; <paramref name="finalServerData"/> (may be empty) must still reach it.</summary>
    public static SaslStep Success(string authenticationId, string? authorizationId, ReadOnlyMemory<byte> finalServerData)
    {
        ArgumentNullException.ThrowIfNull(authenticationId);
        return new(SaslStepKind.Success, finalServerData, authenticationId, NullIfEmpty(authorizationId));
    }

    /// <summary>The exchange failed.</summary>
    /// <param name="failure">Why.</param>
    /// <param name="message">A description for logs.</param>
    /// <param name="errorData">The RFC's error message (SCRAM <c>e=...</c>), or empty.</param>
    /// <param name="authenticationId">The user name, when the exchange got far enough to know it.</param>
    public static SaslStep Fail(SaslFailure failure, string message, ReadOnlyMemory<byte> errorData = default, string? authenticationId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(SaslStepKind.Failure, errorData, authenticationId, failure: failure, message: message);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        SaslStepKind.Failure => $"Failure({Failure}: {Message})",
        SaslStepKind.Challenge => $"Challenge({Data.Length} bytes)",
        SaslStepKind.VerifyBearerToken => $"VerifyBearerToken({AuthorizationId})",
        _ => $"{Kind}({AuthenticationId}, {AuthorizationId})",
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
