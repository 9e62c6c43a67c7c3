using System.Diagnostics.CodeAnalysis;
using MailHost.Accounts;

namespace MailHost.Logins;

/// <summary>The result of one authentication attempt: an account, or a failure status with a message safe to send.</summary>
internal sealed class AuthenticationResult
{
    private readonly bool _counted;

    private AuthenticationResult(AuthenticationStatus status, AccountInfo? account, string? authenticationId, string message, bool counted = false)
    {
        Status = status;
        Account = account;
        AuthenticationId = authenticationId;
        Message = message;
        _counted = counted;
    }

    /// <summary>What happened.</summary>
    public AuthenticationStatus Status { get; }

    /// <summary>Whether the session is now authenticated as <see cref="Account"/>.</summary>
    [MemberNotNullWhen(true, nameof(Account), nameof(AuthenticationId))]
    public bool Succeeded => Status == AuthenticationStatus.Succeeded;

    /// <summary>The authenticated account, on success.</summary>
    public AccountInfo? Account { get; }

    /// <summary>The login exactly as the client typed it, on success (for a bearer token, the value of its user claim).</summary>
    public string? AuthenticationId { get; }

    /// <summary>For a login with an OAuth 2.0 bearer token (OAUTHBEARER, XOAUTH2), the issuer that validated it.</summary>
    public string? TokenIssuer { get; private init; }

    /// <summary>
    /// On success over IMAP, POP3 or SMTP, the account's effective client policy, which the session applies (hidden
    /// IMAP capabilities, POP3 NUL replacement); <see cref="ClientPolicy.None"/> when none applies, null otherwise.
    /// </summary>
    public ClientPolicy? Policy { get; private init; }

    /// <summary>A short English text for the reply; it never tells an unknown login from a wrong password and
    /// never echoes client input.</summary>
    public string Message { get; }

    /// <summary>
    /// Whether the attempt counts towards <see cref="AuthenticationOptions.MaxFailuresPerConnection"/>: wrong
    /// credentials, refused authzid, throttling, disabled account, malformed or over-long data, and a SCRAM exchange
    /// cancelled after the server sent its salt. Success, an empty password, any other cancel, an unsupported
    /// mechanism and missing TLS do not.
    /// </summary>
    public bool CountsAsFailure => _counted || Status is AuthenticationStatus.InvalidCredentials or AuthenticationStatus.AuthorizationDenied
        or AuthenticationStatus.Throttled or AuthenticationStatus.AccountDisabled or AuthenticationStatus.Malformed
        or AuthenticationStatus.TooLong;

    /// <summary>A successful attempt.</summary>
    public static AuthenticationResult Success(AccountInfo account, string authenticationId)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(authenticationId);
        return new(AuthenticationStatus.Succeeded, account, authenticationId, "Authentication succeeded");
    }

    /// <summary>A successful attempt with a bearer token that <paramref name="tokenIssuer"/> validated.</summary>
    public static AuthenticationResult Success(AccountInfo account, string authenticationId, string tokenIssuer)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenIssuer);
        var result = Success(account, authenticationId);
        return new(result.Status, result.Account, result.AuthenticationId, result.Message) { TokenIssuer = tokenIssuer };
    }

    /// <summary>This successful result with <paramref name="policy"/> for the session to apply.</summary>
    internal AuthenticationResult WithPolicy(ClientPolicy? policy)
        => new(Status, Account, AuthenticationId, Message, _counted) { TokenIssuer = TokenIssuer, Policy = policy };

    /// <summary>A failed attempt with the standard message for <paramref name="status"/>.</summary>
    public static AuthenticationResult Failure(AuthenticationStatus status) => Failure(status, counted: false);

    /// <summary>A failed attempt; <paramref name="counted"/> makes it count as a failure whatever its status (a SCRAM
    /// cancel after the server-first message, which has already told the client a salt).</summary>
    internal static AuthenticationResult Failure(AuthenticationStatus status, bool counted)
    {
        if (status == AuthenticationStatus.Succeeded)
        {
            throw new ArgumentOutOfRangeException(nameof(status), "Use Success for a successful attempt.");
        }

        return new(status, null, null, status switch
        {
            AuthenticationStatus.InvalidCredentials => "Authentication failed",
            AuthenticationStatus.EmptyPassword => "Authentication failed: empty password",
            AuthenticationStatus.Cancelled => "Authentication cancelled",
            AuthenticationStatus.Malformed => "Invalid authentication data",
            AuthenticationStatus.TooLong => "Authentication response too long",
            AuthenticationStatus.Throttled => "Too many failed authentications, try again later",
            AuthenticationStatus.MechanismNotSupported => "Authentication mechanism not supported",
            AuthenticationStatus.AuthorizationDenied => "Not authorized to act as that identity",
            AuthenticationStatus.EncryptionRequired => "Encryption required for authentication",
            AuthenticationStatus.AccountDisabled => "Account disabled",
            AuthenticationStatus.TemporaryFailure => "Temporary authentication failure, try again later",
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        }, counted);
    }

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"Succeeded({Account.Name})" : $"{Status}";
}
