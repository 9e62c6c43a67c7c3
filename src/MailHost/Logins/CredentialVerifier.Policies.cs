using MailHost.Accounts;
using Microsoft.Extensions.Logging;

namespace MailHost.Logins;

/// <summary>
/// Client policies (<see cref="ClientPolicyOptions"/>): once the account, the secret used and the client address are
/// known, the account's policy may refuse right credentials (a network or mechanism it does not allow), and on
/// success it travels with the result for the session to apply. Mail protocols only: the web console (HTTP) is never
/// subject to them.
/// </summary>
internal sealed partial class CredentialVerifier
{
    /// <summary>
    /// Sets <see cref="Attempt.Policy"/> and says whether it refuses the attempt: a client address outside its allowed
    /// networks first, then a mechanism it does not allow. Null for an unknown account or a protocol other than IMAP,
    /// POP3 and SMTP.
    /// </summary>
    private CredentialRefusal? PolicyRefusal(Attempt attempt)
    {
        if (attempt.Account is not { } account || AppPasswordFormat.ProtocolOf(attempt.Context.Protocol) == AppPasswordProtocols.None)
        {
            return null;
        }

        var policy = attempt.Policy = _policies.Resolve(account.Name, attempt.AppPassword, attempt.Address);
        if (!policy.AllowsAddress(attempt.Address))
        {
            return CredentialRefusal.PolicyNetwork;
        }

        return policy.AllowsMechanism(attempt.PolicyMechanism) ? null : CredentialRefusal.PolicyMechanism;
    }

    /// <summary>
    /// The policy a successful mail login takes into its session, logged once (the session has one successful login)
    /// when any rule or the default made it; null for the web console.
    /// </summary>
    private ClientPolicy? AppliedPolicy(Attempt attempt)
    {
        if (AppPasswordFormat.ProtocolOf(attempt.Context.Protocol) == AppPasswordProtocols.None)
        {
            return null;
        }

        var context = attempt.Context;
        var policy = attempt.Policy ?? _policies.Resolve(attempt.Account!.Name, attempt.AppPassword, attempt.Address);
        if (policy.Rules.Count > 0)
        {
            Log.PolicyApplied(_logger, policy.RulesText, attempt.Account!.Name, policy.SettingsText, context.Protocol, context.RemoteEndPoint);
        }

        return policy;
    }

    /// <summary>A counted failure like a wrong password, with the reason and the rules in the debug log.</summary>
    private ValueTask<AuthenticationResult> RefuseByPolicyAsync(Attempt attempt, CredentialRefusal refusal, string? password, CancellationToken ct)
    {
        var context = attempt.Context;
        var policy = attempt.Policy!;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var reason = refusal == CredentialRefusal.PolicyNetwork
                ? $"the client address is outside its allowed networks ({string.Join(", ", policy.AllowedNetworks)})"
                : $"it does not allow {attempt.PolicyMechanism} (it allows {string.Join(", ", policy.Mechanisms)})";
            Log.PolicyRefused(_logger, attempt.RecordLogin, attempt.Account!.Name, policy.RulesText, reason,
                context.Protocol, attempt.Mechanism, context.RemoteEndPoint);
        }

        return FailAsync(attempt, password, AuthenticationStatus.InvalidCredentials, ct, outcome: LoginOutcome.PolicyRefused);
    }

    private static partial class Log
    {
        // Event ids 1160-1169: client policies. Rule names are operator input; nothing the client sent is in them.
        [LoggerMessage(EventId = 1160, Level = LogLevel.Information,
            Message = "Client policy {Rules} applies to account '{Account}': {Settings} ({Protocol}) from {RemoteEndPoint}")]
        public static partial void PolicyApplied(ILogger logger, string rules, string account, string settings, string protocol,
            System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1161, Level = LogLevel.Debug,
            Message = "Login '{Login}' gave the right credentials of account '{Account}', refused by client policy {Rules}: {Reason} ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void PolicyRefused(ILogger logger, string login, string account, string rules, string reason, string protocol,
            string mechanism, System.Net.IPEndPoint? remoteEndPoint);
    }
}
