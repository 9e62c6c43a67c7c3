using MailHost.Accounts;

namespace MailHost.Logins;

/// <summary>
/// Why right credentials are refused all the same. The client is answered as for a wrong password (nothing tells a
/// guesser it found a secret); the login history records <see cref="LoginOutcome.AppPasswordRestricted"/>,
/// <see cref="LoginOutcome.AppPasswordRequired"/> or <see cref="LoginOutcome.PolicyRefused"/> and the debug log the reason.
/// </summary>
internal enum CredentialRefusal
{
    /// <summary>The app password does not allow the protocol of the connection.</summary>
    AppPasswordProtocol,

    /// <summary>The client's address is outside the app password's networks.</summary>
    AppPasswordNetwork,

    /// <summary>The app password has expired.</summary>
    AppPasswordExpired,

    /// <summary>The account's own password, on a mail protocol of an account that requires app passwords there.</summary>
    AppPasswordRequired,

    /// <summary>The client's address is outside the networks the account's client policy allows.</summary>
    PolicyNetwork,

    /// <summary>The account's client policy does not allow the mechanism (or the plain password command) used.</summary>
    PolicyMechanism,
}
