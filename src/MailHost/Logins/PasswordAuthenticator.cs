using MailHost.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Logins;

/// <summary>
/// Checks a login name and password sent outside SASL: IMAP LOGIN (RFC 9051 §6.2.3) and POP3 USER/PASS
/// (RFC 1939 §7). Registered as a singleton by <see cref="Microsoft.Extensions.DependencyInjection.AuthenticationServiceCollectionExtensions.AddMailHostAuthentication"/>.
/// </summary>
/// <remarks>
/// Each call resolves the login through <see cref="IAuthIdentityResolver"/>, refuses an empty password at once
/// (<see cref="AuthenticationStatus.EmptyPassword"/>, never a failure, but limited per address and login), refuses
/// blocked addresses and logins (a login blocked by failures elsewhere is still checked from an address without
/// failures of its own), checks the password against the account's <see cref="PasswordRecord"/> or the verification
/// cache (for an unknown login, against a dummy record with the configured iteration count, so both take the same
/// time and give the same <see cref="AuthenticationStatus.InvalidCredentials"/>), re-derives an old record after a
/// successful check, waits the throttle delay, and appends a <see cref="LoginRecord"/> through
/// <see cref="IAccountDirectory.RecordLoginAsync"/> (refusals without a check only sparingly). It never logs the password.
/// </remarks>
internal sealed class PasswordAuthenticator
{
    /// <summary>The mechanism recorded for IMAP LOGIN (and SMTP, which has no plain login command).</summary>
    public const string LoginMechanism = "LOGIN";

    /// <summary>The mechanism recorded for POP3 USER/PASS.</summary>
    public const string UserMechanism = "USER";

    private readonly CredentialVerifier _verifier;
    private readonly bool _allowPlaintext;

    /// <summary>Creates the authenticator; see <see cref="AuthenticationOptions"/>.</summary>
    public PasswordAuthenticator(
        IAuthIdentityResolver resolver,
        IAccountDirectory directory,
        AuthenticationThrottle throttle,
        IOptions<AuthenticationOptions> options,
        TimeProvider timeProvider,
        ILogger<PasswordAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _verifier = new CredentialVerifier(resolver, directory, throttle, options.Value, timeProvider, logger);
        _allowPlaintext = options.Value.AllowPlaintextAuthentication;
    }

    /// <summary>
    /// Whether password logins are allowed on a connection with this TLS state. When <see langword="false"/>, IMAP
    /// advertises LOGINDISABLED and POP3 refuses USER.
    /// </summary>
    public bool IsAllowed(bool isTls) => IsAllowed(isTls, null);

    /// <summary>
    /// Whether password logins are allowed on a connection with this TLS state on an endpoint whose own
    /// <c>AllowPlaintextAuthentication</c> is <paramref name="endpointAllowsPlaintext"/> (null: the global setting decides).
    /// </summary>
    public bool IsAllowed(bool isTls, bool? endpointAllowsPlaintext) => isTls || (endpointAllowsPlaintext ?? _allowPlaintext);

    /// <summary>PBKDF2 derivations this authenticator has run (tests and diagnostics).</summary>
    internal long PasswordDerivations => _verifier.Derivations;

    /// <summary>Authenticates <paramref name="login"/> with <paramref name="password"/>.</summary>
    /// <param name="login">The login as the client sent it (IMAP astring, POP3 USER argument).</param>
    /// <param name="password">The password as the client sent it; may be empty.</param>
    /// <param name="context">The connection; its <see cref="AuthenticationContext.Mechanism"/> is set to
    /// <see cref="UserMechanism"/> for POP3, otherwise <see cref="LoginMechanism"/>.</param>
    /// <param name="ct">Cancels lookups and the throttle delay (connection closed, server stopping).</param>
    public ValueTask<AuthenticationResult> AuthenticateAsync(string login, string password, AuthenticationContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(login);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(context);
        var mechanism = context.Protocol == AuthenticationContext.Pop3 ? UserMechanism : LoginMechanism;
        if (!IsAllowed(context.IsTls, context.AllowPlaintextAuthentication))
        {
            context.Mechanism = mechanism;
            return ValueTask.FromResult(CredentialVerifier.Counted(context, AuthenticationResult.Failure(AuthenticationStatus.EncryptionRequired)));
        }

        return _verifier.VerifyPasswordCommandAsync(login, password, mechanism, context, ct);
    }
}
