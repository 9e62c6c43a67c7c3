using System.Diagnostics.CodeAnalysis;
using MailHost.Accounts;

namespace MailHost.Authentication;

/// <summary>The result of one authentication attempt: an account, or a failure status with a message safe to send.</summary>
public sealed class AuthenticationResult
{
    private AuthenticationResult(AuthenticationStatus status, AccountInfo? account, string? authenticationId, string message)
    {
        Status = status;
        Account = account;
        AuthenticationId = authenticationId;
        Message = message;
    }

    /// <summary>What happened.</summary>
    public AuthenticationStatus Status { get; }

    /// <summary>Whether the session is now authenticated as <see cref="Account"/>.</summary>
    [MemberNotNullWhen(true, nameof(Account), nameof(AuthenticationId))]
    public bool Succeeded => Status == AuthenticationStatus.Succeeded;

    /// <summary>The authenticated account, on success.</summary>
    public AccountInfo? Account { get; }

    /// <summary>The login exactly as the client typed it, on success.</summary>
    public string? AuthenticationId { get; }

    /// <summary>A short English text for the reply; it never tells an unknown login from a wrong password and
    /// never echoes client input.</summary>
    public string Message { get; }

    /// <summary>
    /// Whether the attempt counts towards <see cref="AuthenticationOptions.MaxFailuresPerConnection"/>: wrong
    /// credentials, refused authzid, throttling, disabled account, malformed or over-long data. Success, an empty
    /// password, a cancel, an unsupported mechanism and missing TLS do not.
    /// </summary>
    public bool CountsAsFailure => Status is AuthenticationStatus.InvalidCredentials or AuthenticationStatus.AuthorizationDenied
        or AuthenticationStatus.Throttled or AuthenticationStatus.AccountDisabled or AuthenticationStatus.Malformed
        or AuthenticationStatus.TooLong;

    /// <summary>A successful attempt.</summary>
    public static AuthenticationResult Success(AccountInfo account, string authenticationId)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(authenticationId);
        return new(AuthenticationStatus.Succeeded, account, authenticationId, "Authentication succeeded");
    }

    /// <summary>A failed attempt with the standard message for <paramref name="status"/>.</summary>
    public static AuthenticationResult Failure(AuthenticationStatus status)
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
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        });
    }

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"Succeeded({Account.Name})" : $"{Status}";
}
