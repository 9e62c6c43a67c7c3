using System.Globalization;
using MailHost.Accounts;
using Microsoft.Extensions.Logging;

namespace MailHost.Logins;

/// <summary>
/// App passwords: a secret spelled like one is looked up among the account's app passwords by its keyed tag and, when
/// one has it, checked against that app password's record instead of the account's own; either way one PBKDF2
/// derivation (or a verification-cache hit) decides, whatever the number of app passwords.
/// </summary>
internal sealed partial class CredentialVerifier
{
    // A client opening several connections at once records its use once, not once per connection: the same use
    // (address, protocol and client) is written again only this long after the last recorded one.
    private static readonly TimeSpan AppPasswordUseRecordInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Checks the secret of an attempt: an app password of the account when the secret is spelled like one, the login
    /// is on a mail protocol, and the directory finds an app password with its lookup tag; otherwise the account's own
    /// password (or, for an unknown login, the dummy record). Sets <see cref="Attempt.AppPassword"/> when it checked an
    /// app password, and <see cref="Attempt.Refusal"/> when right credentials must be refused all the same.
    /// </summary>
    private async ValueTask<bool> CheckSecretAsync(Attempt attempt, string password, CancellationToken ct)
    {
        var account = attempt.Account;
        if (account is not null
            && AppPasswordFormat.ProtocolOf(attempt.Context.Protocol) != AppPasswordProtocols.None
            && AppPasswordSecrets.TryNormalize(password, out var normalized)
            && await FindAppPasswordAsync(account.Name, normalized, ct).ConfigureAwait(false) is { } candidate)
        {
            attempt.AppPassword = candidate.AppPassword;

            // Checked like a main password, through the verification cache, but never re-derived: the record is the
            // app password's, and with its random secret the iteration count hardly matters.
            var verified = await CheckPasswordAsync(account, candidate.Record, normalized, upgradable: false, ct).ConfigureAwait(false);
            if (verified)
            {
                attempt.Refusal = AppPasswordRefusal(candidate.AppPassword, attempt.Context) ?? PolicyRefusal(attempt);
            }

            return verified;
        }

        var record = account is null ? null : await _directory.GetPasswordRecordAsync(account.Name, ct).ConfigureAwait(false);
        var matched = await CheckPasswordAsync(account, record, password, upgradable: true, ct).ConfigureAwait(false);
        if (matched)
        {
            attempt.Refusal = MainPasswordRefusal(attempt) ?? PolicyRefusal(attempt);
        }

        return matched;
    }

    /// <summary>
    /// Whether the account's own password is refused on this connection: on IMAP, POP3 and SMTP when the account
    /// requires app passwords. The administration console (protocol <c>HTTP</c>) always takes it.
    /// </summary>
    private static CredentialRefusal? MainPasswordRefusal(Attempt attempt) =>
        attempt.Account is { RequiresAppPasswords: true } && AppPasswordFormat.ProtocolOf(attempt.Context.Protocol) != AppPasswordProtocols.None
            ? CredentialRefusal.AppPasswordRequired
            : null;

    /// <summary>The limit of <paramref name="appPassword"/> this connection breaks, if any.</summary>
    private CredentialRefusal? AppPasswordRefusal(AppPasswordInfo appPassword, AuthenticationContext context)
    {
        if (!appPassword.AllowsProtocol(context.Protocol))
        {
            return CredentialRefusal.AppPasswordProtocol;
        }

        if (!appPassword.AllowsAddress(context.RemoteEndPoint?.Address))
        {
            return CredentialRefusal.AppPasswordNetwork;
        }

        return appPassword.IsExpiredAt(_timeProvider.GetUtcNow()) ? CredentialRefusal.AppPasswordExpired : null;
    }

    /// <summary>
    /// The app password of <paramref name="accountName"/> with the lookup tag of <paramref name="normalized"/>, if any.
    /// A directory without a server secret keeps no app passwords (its tags could not match across restarts).
    /// </summary>
    private async ValueTask<AppPasswordCredential?> FindAppPasswordAsync(string accountName, string normalized, CancellationToken ct)
    {
        if (await _directory.GetServerSecretAsync(ct).ConfigureAwait(false) is not { } secret)
        {
            return null;
        }

        var tag = AppPasswordSecrets.LookupTag(secret.Span, normalized);
        return await _directory.FindAppPasswordAsync(accountName, tag, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends an attempt whose credentials were right but are refused: a counted failure like a wrong password, for the
    /// throttle and the client alike, with the reason in the login history and the debug log.
    /// </summary>
    private ValueTask<AuthenticationResult> RefuseAsync(Attempt attempt, CredentialRefusal refusal, string? password, CancellationToken ct)
    {
        var context = attempt.Context;
        var account = attempt.Account!.Name;
        if (refusal is CredentialRefusal.PolicyNetwork or CredentialRefusal.PolicyMechanism)
        {
            return RefuseByPolicyAsync(attempt, refusal, password, ct);
        }

        if (refusal == CredentialRefusal.AppPasswordRequired)
        {
            Log.AppPasswordRequired(_logger, attempt.RecordLogin, account, context.Protocol, attempt.Mechanism, context.RemoteEndPoint);
            return FailAsync(attempt, password, AuthenticationStatus.InvalidCredentials, ct, outcome: LoginOutcome.AppPasswordRequired);
        }

        var appPassword = attempt.AppPassword!;
        var reason = refusal switch
        {
            CredentialRefusal.AppPasswordProtocol => $"it does not allow {context.Protocol} (it allows {AppPasswordFormat.ProtocolsText(appPassword.Protocols)})",
            CredentialRefusal.AppPasswordNetwork => "the client address is outside its networks",
            _ => string.Create(CultureInfo.InvariantCulture, $"it expired at {appPassword.Expires:O}"),
        };
        Log.AppPasswordRestricted(_logger, attempt.RecordLogin, appPassword.Id, account, reason, context.Protocol, attempt.Mechanism, context.RemoteEndPoint);
        return FailAsync(attempt, password, AuthenticationStatus.InvalidCredentials, ct, outcome: LoginOutcome.AppPasswordRestricted);
    }

    /// <summary>
    /// Records a successful login as the app password's last use, unless the same use was recorded within
    /// <see cref="AppPasswordUseRecordInterval"/>. A failure is logged; the login stands.
    /// </summary>
    private async ValueTask RecordAppPasswordUseAsync(Attempt attempt, AppPasswordInfo appPassword, CancellationToken ct)
    {
        var context = attempt.Context;
        var address = context.RemoteEndPoint?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : context.RemoteEndPoint?.Address;
        var use = new AppPasswordUse(_timeProvider.GetUtcNow(), address, context.Protocol, context.ClientName);
        Log.AppPasswordUsed(_logger, attempt.RecordLogin, appPassword.Id, attempt.Account!.Name, context.Protocol);
        if (appPassword.LastUse is { } last && use.Time - last.Time < AppPasswordUseRecordInterval
            && Equals(last.RemoteAddress, use.RemoteAddress) && last.Protocol == use.Protocol && last.ClientName == use.ClientName)
        {
            return;
        }

        try
        {
            await _directory.RecordAppPasswordUseAsync(attempt.Account.Name, appPassword.Id, use, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AppPasswordUseNotRecorded(_logger, ex, appPassword.Id, attempt.Account.Name);
        }
    }

    private static partial class Log
    {
        // Event ids 1130-1139: app passwords. The name of an app password is operator input and the secret never
        // appears; the id alone says which one it was.
        [LoggerMessage(EventId = 1130, Level = LogLevel.Debug,
            Message = "Login '{Login}' used app password {AppPasswordId} of account '{Account}' ({Protocol})")]
        public static partial void AppPasswordUsed(ILogger logger, string login, string appPasswordId, string account, string protocol);

        [LoggerMessage(EventId = 1131, Level = LogLevel.Debug,
            Message = "Login '{Login}' gave the right secret of app password {AppPasswordId} of account '{Account}', refused: {Reason} ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void AppPasswordRestricted(ILogger logger, string login, string appPasswordId, string account, string reason,
            string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1132, Level = LogLevel.Debug,
            Message = "Login '{Login}' gave the right password of account '{Account}', refused: the account requires app passwords for IMAP, POP3 and SMTP ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void AppPasswordRequired(ILogger logger, string login, string account, string protocol, string mechanism,
            System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1133, Level = LogLevel.Warning,
            Message = "The use of app password {AppPasswordId} of account '{Account}' could not be recorded; the login went ahead")]
        public static partial void AppPasswordUseNotRecorded(ILogger logger, Exception exception, string appPasswordId, string account);
    }
}
