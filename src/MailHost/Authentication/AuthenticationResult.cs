using System.Diagnostics.CodeAnalysis;
using MailHost.Accounts;

namespace MailHost.Authentication;

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

    /// <summary>The login exactly as the client typed it, on success.</summary>
    public string? AuthenticationId { get; }

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
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        }, counted);
    }

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"Succeeded({Account.Name})" : $"{Status}";
}
