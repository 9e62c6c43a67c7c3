using System.Collections.Frozen;
using MailHost.Connections;
using MailHost.Protocols.Sasl;

namespace MailHost.Logins;

/// <summary>
/// <c>mailhost.auth.attempts</c>: every attempt is counted once, when its answer is known. Attempts with a login end in
/// this class; the authenticators count through <see cref="Counted"/> the ones refused before a login was known (an
/// unsupported mechanism, no TLS, a malformed or cancelled exchange).
/// </summary>
internal sealed partial class CredentialVerifier
{
    // Tag values come from these tables only: a client's mechanism name or a new protocol is "other".
    private static readonly FrozenDictionary<string, string> ProtocolTags = new Dictionary<string, string>
    {
        [AuthenticationContext.Imap] = "imap",
        [AuthenticationContext.Pop3] = "pop3",
        [AuthenticationContext.Smtp] = "smtp",

        // The administration console's sign-ins go through the same checks.
        ["HTTP"] = "http",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> MechanismTags =
        FrozenSet.ToFrozenSet([.. SaslMechanismNames.All, PasswordAuthenticator.UserMechanism], StringComparer.Ordinal);

    /// <summary>Counts the attempt <paramref name="result"/> ended, and returns it.</summary>
    internal static AuthenticationResult Counted(AuthenticationContext context, AuthenticationResult result)
    {
        Count(context, result.Status);
        return result;
    }

    private static void Count(AuthenticationContext context, AuthenticationStatus status)
    {
        if (!MailHostMetrics.AuthenticationAttempts.Enabled)
        {
            return;
        }

        MailHostMetrics.AuthenticationAttempts.Add(
            1,
            new KeyValuePair<string, object?>("protocol", ProtocolTags.GetValueOrDefault(context.Protocol, "other")),
            new KeyValuePair<string, object?>("mechanism", context.Mechanism is { } mechanism && MechanismTags.Contains(mechanism) ? mechanism : "other"),
            new KeyValuePair<string, object?>("outcome", OutcomeTag(status)));
    }

    /// <summary>The <c>outcome</c> tag: the status in snake case, malformed and over-long data as one.</summary>
    private static string OutcomeTag(AuthenticationStatus status) => status switch
    {
        AuthenticationStatus.Succeeded => "succeeded",
        AuthenticationStatus.InvalidCredentials => "failed",
        AuthenticationStatus.EmptyPassword => "empty_password",
        AuthenticationStatus.Cancelled => "cancelled",
        AuthenticationStatus.Malformed or AuthenticationStatus.TooLong => "malformed",
        AuthenticationStatus.Throttled => "throttled",
        AuthenticationStatus.MechanismNotSupported => "unsupported_mechanism",
        AuthenticationStatus.AuthorizationDenied => "authorization_denied",
        AuthenticationStatus.EncryptionRequired => "encryption_required",
        AuthenticationStatus.AccountDisabled => "disabled",
        AuthenticationStatus.TemporaryFailure => "temporary_failure",
        _ => "other",
    };
}
